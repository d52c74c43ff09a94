using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SmtpFailoverProxy.Tests.Providers.Smtp;

/// <summary>
/// A scripted upstream on a real loopback socket, in the way MailKit tests its client against recorded
/// transcripts: each accepted connection runs the next script, which says and expects exactly what a
/// real server's transcript would.
/// </summary>
internal sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _serving;

    public ScriptedSmtpServer(params Func<ScriptedPeer, Task>[] scripts)
    {
        _listener.Start();
        _serving = ServeAsync(scripts);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Connections { get; private set; }

    /// <summary>Completes when every script has run; rethrows a script's failed expectation.</summary>
    public Task Completion => _serving;

    private async Task ServeAsync(Func<ScriptedPeer, Task>[] scripts)
    {
        foreach (var script in scripts)
        {
            using var client = await _listener.AcceptTcpClientAsync();
            Connections++;
            await using var peer = new ScriptedPeer(client);
            await script(peer);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _serving.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or TimeoutException or IOException)
        {
            // Stopped while waiting for a connection that never came, or the client left first.
        }
    }
}

/// <summary>The server's side of one scripted connection.</summary>
internal sealed class ScriptedPeer(TcpClient client) : IAsyncDisposable
{
    private readonly NetworkStream _stream = client.GetStream();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>Sends reply lines, each ended with CR LF.</summary>
    public async Task SayAsync(params string[] lines) =>
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\r\n"))));

    /// <summary>The greeting and an EHLO reply announcing <paramref name="extensions"/>.</summary>
    public async Task GreetAsync(params string[] extensions)
    {
        await SayAsync("220 scripted.test ESMTP");
        Assert.StartsWith("EHLO ", await ReadLineAsync());
        var lines = new[] { "scripted.test" }.Concat(extensions).ToArray();
        await SayAsync(lines.Select((l, i) => (i == lines.Length - 1 ? "250 " : "250-") + l).ToArray());
    }

    /// <summary>The next line the client sent, without CR LF.</summary>
    public async Task<string> ReadLineAsync()
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                return line;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var read = await _stream.ReadAsync(_buffer.AsMemory(_end));
            if (read == 0) throw new IOException("The client closed the connection");
            _end += read;
        }
    }

    /// <summary>Reads a line and checks it is <paramref name="expected"/>.</summary>
    public async Task ExpectAsync(string expected) => Assert.Equal(expected, await ReadLineAsync());

    /// <summary>DATA content up to the lone dot, exactly as sent (still dot-stuffed), lines ended by CR LF.</summary>
    public async Task<string> ReadContentAsync()
    {
        var content = new StringBuilder();
        while (await ReadLineAsync() is var line && line != ".") content.Append(line).Append("\r\n");
        return content.ToString();
    }

    /// <summary>A pipelined transaction to one recipient (MAIL, RCPT, DATA) taken as far as its content, which is returned.</summary>
    public async Task<string> TakeContentAsync()
    {
        for (var i = 0; i < 3; i++) await ReadLineAsync();
        await SayAsync("250 Ok", "250 Ok", "354 go ahead");
        return await ReadContentAsync();
    }

    /// <summary>Whether the client has sent anything not yet read (it did not wait for our reply).</summary>
    public bool ClientSentMore => _end > _start || client.Available > 0;

    /// <summary>Closes the connection at once.</summary>
    public void Drop() => client.Client.Close();

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();
}
