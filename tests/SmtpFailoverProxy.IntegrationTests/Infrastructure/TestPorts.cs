using System.Net;
using System.Net.Sockets;

namespace SmtpFailoverProxy.IntegrationTests.Infrastructure;

/// <summary>
/// Free loopback ports, picked at random below the kernel's ephemeral range and checked by binding them.
/// Ports of that range (what binding port 0 gives) are also the local ports of outgoing connections: when
/// a test stopped a server to start it again on the same port, another test's connection could take the
/// port meanwhile, and the restart failed with "address already in use".
/// </summary>
internal static class TestPorts
{
    private const int Lowest = 10_000;
    private static readonly int EphemeralLow = ReadEphemeralLow();

    public static int GetFree()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(Lowest, EphemeralLow);
            if (TryBind(port)) return port;
        }

        // Everything tried was taken: fall back to what the kernel gives.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool TryBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // Linux: "32768\t60999". Elsewhere, or unreadable: the IANA dynamic range's start.
    private static int ReadEphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0]) is var low && low > Lowest + 1000 ? low : 49_152;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 49_152;
        }
    }
}
