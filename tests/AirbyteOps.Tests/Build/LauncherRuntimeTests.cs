using System.Diagnostics;

namespace AirbyteOps.Tests.Build;

/// <summary>
/// The real ./build.sh, run in a scratch copy of the repository's launcher files with a stand-in `dotnet` first on PATH
/// (it prints the environment it was started with, and the arguments): the .NET runtime settings the launcher gives Cake
/// (build/dotnet-env.sh), and a value the user set kept. No Cake, no build, nothing of the repository touched.
/// </summary>
public sealed class LauncherRuntimeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("abops-launcher-").FullName;

    public LauncherRuntimeTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "build"));
        Directory.CreateDirectory(Path.Combine(_root, ".config"));
        Directory.CreateDirectory(Path.Combine(_root, ".build", "lib"));
        Directory.CreateDirectory(Path.Combine(_root, "bin"));
        File.Copy(Path.Combine(RepositoryPaths.Root, "build.sh"), Path.Combine(_root, "build.sh"));
        File.Copy(Path.Combine(RepositoryPaths.Root, "build", "dotnet-env.sh"), Path.Combine(_root, "build", "dotnet-env.sh"));
        // A warm checkout: the pinned Cake already found (its path newer than the tool manifest) and the library built.
        File.WriteAllText(Path.Combine(_root, ".config", "dotnet-tools.json"), "{}");
        var cake = Path.Combine(_root, "Cake.dll");
        File.WriteAllText(cake, "");
        var cakePath = Path.Combine(_root, ".build", "cake.path");
        File.WriteAllText(cakePath, cake + "\n");
        File.SetLastWriteTimeUtc(Path.Combine(_root, ".config", "dotnet-tools.json"), DateTime.UtcNow.AddMinutes(-5));
        File.WriteAllText(Path.Combine(_root, ".build", "lib", ".stamp"), "");
        var dotnet = Path.Combine(_root, "bin", "dotnet");
        File.WriteAllText(dotnet, "#!/usr/bin/env bash\necho \"W^X=${DOTNET_EnableWriteXorExecute-unset}\"\necho \"args=$*\"\n");
        File.SetUnixFileMode(dotnet, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [Fact]
    public void The_launcher_runs_cake_with_write_xor_execute_off()
    {
        var output = Run(null, "StartPostgres", "--postgres-port", "3001");

        Assert.Contains("W^X=0", output);
        // It is Cake the setting reached: the stand-in was started with the script and the target.
        Assert.Contains($"args={Path.Combine(_root, "Cake.dll")} build/build.cake --target=StartPostgres --postgres-port 3001", output);
    }

    [Fact]
    public void A_value_the_user_set_is_kept()
    {
        Assert.Contains("W^X=1", Run("1", "Help"));
    }

    private string Run(string? writeXorExecute, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _root };
        start.ArgumentList.Add(Path.Combine(_root, "build.sh"));
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["PATH"] = Path.Combine(_root, "bin") + ":" + Environment.GetEnvironmentVariable("PATH");
        if (writeXorExecute is null) start.Environment.Remove("DOTNET_EnableWriteXorExecute");
        else start.Environment["DOTNET_EnableWriteXorExecute"] = writeXorExecute;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000), "build.sh did not end within 30 s");
        Assert.True(process.ExitCode == 0, $"build.sh exited {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
