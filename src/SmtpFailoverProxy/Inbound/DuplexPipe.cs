using System.IO.Pipelines;

namespace SmtpFailoverProxy.Inbound;

/// <summary>A reader and a writer as one duplex pipe (over a socket, a TLS stream, or in memory).</summary>
internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;
    public PipeWriter Output { get; } = output;
}
