using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AirbyteOps.Docker;

namespace AirbyteOps.Workspace.Tests;

/// <summary>Shared bits of the integration tests: unique names, free ports, seeding volumes, running the CLI.</summary>
public static class TestEngine
{
    public const string Busybox = "airbyteops/busybox:latest";

    public static string UniqueName(string what) => $"abops-test-{what}-{Guid.NewGuid().ToString("N")[..10]}";

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<string> CreateVolumeAsync(DockerEngine engine, string what, TarBuilder content)
    {
        var name = UniqueName(what);
        await engine.Volumes.CreateAsync(name, new Dictionary<string, string> { [Labels.Managed] = "true", [Labels.Role] = "test" });
        await WriteAsync(engine, name, "", content);
        return name;
    }

    public static async Task WriteAsync(DockerEngine engine, string volume, string folder, TarBuilder content)
    {
        await using var mounted = await engine.Volumes.OpenAsync(volume, Busybox);
        using var tar = content.Build();
        await mounted.CopyInAsync(folder, tar);
    }

    /// <summary>Runs a program (an argument list, no shell) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
