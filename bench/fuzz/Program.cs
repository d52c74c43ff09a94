using SharpFuzz;
using SmtpFailoverProxy.Tests.Fuzz;

// AFL drives this process (see bench/fuzz/run.sh): each input goes through the parsers and a whole session.
var spool = Path.Combine(Path.GetTempPath(), "sfp-fuzz-spool");
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    var input = buffer.ToArray();
    FuzzTargets.Parsers(input);
    FuzzTargets.Session(input, spool);
});
