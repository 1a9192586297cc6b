using AirbyteOps.Docker;
using AirbyteOps.Docker.Host;

namespace AirbyteOps.Faults.Tests.Support;

/// <summary>Which data path a run with a given --volume-access takes on this machine, and the log line that says so.</summary>
public static class DataPath
{
    /// <summary>
    /// True when <see cref="VolumeAccess.Auto"/> goes direct here: root and a local engine (the rest of HostVolume's proof holds
    /// for the tests' plain local volumes). Elsewhere Auto is the engine path, and the direct-path tests say so instead of passing.
    /// </summary>
    public static bool Direct(DockerEngine engine, VolumeAccess access) =>
        access == VolumeAccess.Auto && UnixFiles.IsRoot && engine.Endpoint.Scheme == "unix";

    /// <summary>RestoreSetup's one line naming its data path.</summary>
    public static string RestoreLine(bool direct) => direct ? "is written and read directly on this host (" : "is written and read through the Docker engine (";

    /// <summary>The arguments the child process (<see cref="Program"/>) takes for it.</summary>
    public static string Argument(VolumeAccess access) => access.ToString().ToLowerInvariant();
}
