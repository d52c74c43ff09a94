using System.Net;
using System.Net.Sockets;

namespace SmtpFailoverProxy.IntegrationTests.Infrastructure;

/// <summary>Free loopback ports, found by binding port 0 and reading back what the kernel gave.</summary>
internal static class TestPorts
{
    public static int GetFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
