using System.Net;
using System.Net.Sockets;

namespace AirbyteOps.Faults.Tests.Support;

/// <summary>Names and ports for what the tests create, so they never touch a user's containers, volumes, projects or ports.</summary>
public static class Names
{
    public const string Busybox = "airbyteops/busybox:latest";

    public static string Unique(string what) => $"abops-test-{Guid.NewGuid().ToString("N")[..8]}-{what}";

    /// <summary>A port nobody listens on right now on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Every path under a folder (files, folders, links, hidden ones included), sorted: "nothing was written here" compares two of these.</summary>
    public static IReadOnlyList<string> Listing(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFileSystemEntries(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                .Select(p => Path.GetRelativePath(folder, p)).Order(StringComparer.Ordinal).ToList()
            : [];
}
