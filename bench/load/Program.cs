using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

// SMTP load generator: N concurrent connections, each sending messages back to back for a while.
// Reports accepted messages, errors, and the time from the end of DATA to the 250 reply (p50, p99, max).
//   dotnet run -c Release --project bench/load -- --port 2525 --connections 1000 --seconds 60 --size 4096
const string Usage = "usage: SmtpLoad [--port 2525] [--connections 1000] [--seconds 60] [--size 4096]";
string[] known = ["port", "connections", "seconds", "size"];
if (args.Length % 2 != 0 || args.Where((_, i) => i % 2 == 0).Any(a => !a.StartsWith("--") || !known.Contains(a[2..]))
    || args.Where((_, i) => i % 2 == 1).Any(v => !int.TryParse(v, out var n) || n < 1))
{
    Console.Error.WriteLine(Usage);
    return 64;
}

var options = args.Chunk(2).ToDictionary(p => p[0][2..], p => p[1]);
var port = int.Parse(options.GetValueOrDefault("port", "2525"));
var connections = int.Parse(options.GetValueOrDefault("connections", "1000"));
var seconds = int.Parse(options.GetValueOrDefault("seconds", "60"));
var size = int.Parse(options.GetValueOrDefault("size", "4096"));

var body = new StringBuilder("From: load@example.com\r\nTo: sink@example.com\r\nSubject: load\r\n\r\n");
while (body.Length < size) body.Append(new string('x', 76)).Append("\r\n");
var data = Encoding.ASCII.GetBytes(body.Append(".\r\n").ToString());

var latencies = new List<double>[connections];
var errors = 0;
var accepted = 0;
var stop = Stopwatch.StartNew();
var until = TimeSpan.FromSeconds(seconds);

await Task.WhenAll(Enumerable.Range(0, connections).Select(async i =>
{
    latencies[i] = [];
    try
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var stream = tcp.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        async Task<string> Reply()
        {
            string line;
            do line = await reader.ReadLineAsync() ?? throw new IOException("closed");
            while (line.Length > 3 && line[3] == '-');
            return line;
        }

        async Task<string> Command(string command)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
            return await Reply();
        }

        if (!(await Reply()).StartsWith("220")) throw new IOException("no greeting");
        await Command("EHLO load.example.com");
        while (stop.Elapsed < until)
        {
            // One round trip for the envelope (PIPELINING), one for the data.
            await stream.WriteAsync(Encoding.ASCII.GetBytes("MAIL FROM:<load@example.com>\r\nRCPT TO:<sink@example.com>\r\nDATA\r\n"));
            var mail = await Reply();
            var rcpt = await Reply();
            var go = await Reply();
            if (!mail.StartsWith("250") || !rcpt.StartsWith("250") || !go.StartsWith("354"))
            {
                Interlocked.Increment(ref errors);
                await Command("RSET");
                continue;
            }

            await stream.WriteAsync(data);
            var sent = Stopwatch.GetTimestamp();
            var done = await Reply();
            var ms = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            if (done.StartsWith("250"))
            {
                latencies[i].Add(ms);
                Interlocked.Increment(ref accepted);
            }
            else
            {
                Interlocked.Increment(ref errors);
            }
        }

        await Command("QUIT");
    }
    catch (Exception ex) when (ex is IOException or SocketException)
    {
        Interlocked.Increment(ref errors);
    }
}));

var all = latencies.SelectMany(l => l).Order().ToArray();
double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
Console.WriteLine($"connections={connections} seconds={stop.Elapsed.TotalSeconds:0.0} size={data.Length} accepted={accepted} errors={errors} " +
                  $"rate={accepted / stop.Elapsed.TotalSeconds:0} msg/s p50={Percentile(0.50):0.00}ms p99={Percentile(0.99):0.00}ms max={(all.Length == 0 ? 0 : all[^1]):0.00}ms");
return errors == 0 ? 0 : 1;
