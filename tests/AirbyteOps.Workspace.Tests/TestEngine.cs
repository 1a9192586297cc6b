using AirbyteOps.Docker;

namespace AirbyteOps.Workspace.Tests;

/// <summary>Seeding test volumes with workspace content (names, ports, images and processes come from AirbyteOps.TestSupport).</summary>
public static class TestEngine
{
    public static async Task<string> CreateVolumeAsync(DockerEngine engine, string what, TarBuilder content)
    {
        var name = TestNames.Unique(what);
        await engine.Volumes.CreateAsync(name, new Dictionary<string, string> { [Labels.Managed] = "true", [Labels.Role] = "test" });
        await WriteAsync(engine, name, "", content);
        return name;
    }

    public static async Task WriteAsync(DockerEngine engine, string volume, string folder, TarBuilder content)
    {
        await using var mounted = await engine.Volumes.OpenAsync(volume, TestImages.Busybox);
        using var tar = content.Build();
        await mounted.CopyInAsync(folder, tar);
    }
}
