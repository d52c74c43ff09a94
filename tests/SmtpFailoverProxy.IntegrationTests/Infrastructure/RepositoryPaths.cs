namespace SmtpFailoverProxy.IntegrationTests.Infrastructure;

/// <summary>Paths inside the repository and the build output, found from the test assembly's folder.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The built proxy, same configuration (Debug/Release) as the tests.</summary>
    public static string ProxyDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0/
            return Path.Combine(Root, "src", "SmtpFailoverProxy", "bin", configuration, "net10.0", "smtp-proxy.dll");
        }
    }

    public static string Peer(string name) => Path.Combine(AppContext.BaseDirectory, "Peers", name);

    public static string NewTempDirectory(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), "sfp-tests", $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SmtpFailoverProxy.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("SmtpFailoverProxy.sln not found above " + AppContext.BaseDirectory);
    }
}
