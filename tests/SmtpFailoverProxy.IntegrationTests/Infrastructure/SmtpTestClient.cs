using System.Net.Sockets;
using System.Text;

namespace SmtpFailoverProxy.IntegrationTests.Infrastructure;

/// <summary>A raw-socket SMTP client for the cases swaks will not send: every byte is the test's choice.</summary>
internal sealed class SmtpTestClient : IAsyncDisposable
{
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(15);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly StringBuilder _pending = new();

    private SmtpTestClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<SmtpTestClient> ConnectAsync(int port, bool ehlo = true)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var client = new SmtpTestClient(tcp);
        var greeting = await client.ReadReplyAsync();
        Assert.StartsWith("220 ", greeting);
        if (ehlo) Assert.StartsWith("250", await client.CommandAsync("EHLO client.test"));
        return client;
    }

    /// <summary>Sends a line (CR LF added) and returns the reply.</summary>
    public async Task<string> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(OperationTimeout);
        await _stream.WriteAsync(bytes, cts.Token);
    }

    /// <summary>Reads one whole reply (all lines of a multi-line one); the last line's code decides.</summary>
    public async Task<string> ReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync();
            if (line is null) return lines.Count == 0 ? "<closed>" : string.Join("\n", lines);
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-') return string.Join("\n", lines);
        }
    }

    /// <summary>True when the server has closed the connection.</summary>
    public async Task<bool> IsClosedAsync()
    {
        using var cts = new CancellationTokenSource(OperationTimeout);
        try
        {
            return await _stream.ReadAsync(_buffer, cts.Token) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<string?> ReadLineAsync()
    {
        while (true)
        {
            var text = _pending.ToString();
            var end = text.IndexOf("\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                _pending.Remove(0, end + 2);
                return text[..end];
            }

            using var cts = new CancellationTokenSource(OperationTimeout);
            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer, cts.Token);
            }
            catch (IOException)
            {
                return null;
            }

            if (read == 0) return null;
            _pending.Append(Encoding.UTF8.GetString(_buffer, 0, read));
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
