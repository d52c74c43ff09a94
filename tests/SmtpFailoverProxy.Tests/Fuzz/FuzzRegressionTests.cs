namespace SmtpFailoverProxy.Tests.Fuzz;

/// <summary>
/// Every input the fuzzer ever found interesting enough to keep (bench/fuzz/corpus: the seeds;
/// Fuzz/crashers: inputs that once crashed or hung), replayed through both targets on each test run.
/// </summary>
public sealed class FuzzRegressionTests
{
    public static TheoryData<string> Inputs()
    {
        var data = new TheoryData<string>();
        var root = FindRoot();
        foreach (var folder in new[] { Path.Combine(root, "bench", "fuzz", "corpus"), Path.Combine(root, "tests", "SmtpFailoverProxy.Tests", "Fuzz", "crashers") })
        {
            foreach (var file in Directory.EnumerateFiles(folder).Order()) data.Add(Path.GetRelativePath(root, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_is_handled_without_an_exception(string relativePath)
    {
        var input = File.ReadAllBytes(Path.Combine(FindRoot(), relativePath));
        var spool = Path.Combine(Path.GetTempPath(), "sfp-fuzz", Guid.NewGuid().ToString("N"));
        try
        {
            FuzzTargets.Parsers(input);
            var replies = FuzzTargets.Session(input, spool);
            Assert.StartsWith("220 ", replies);
        }
        finally
        {
            if (Directory.Exists(spool)) Directory.Delete(spool, recursive: true);
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SmtpFailoverProxy.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("repository root not found");
    }
}
