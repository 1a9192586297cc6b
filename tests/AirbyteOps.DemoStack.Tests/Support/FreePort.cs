using System.Net;
using System.Net.Sockets;

namespace AirbyteOps.DemoStack.Tests.Support;

/// <summary>A currently free TCP port on 127.0.0.1 (tests publish only there).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
