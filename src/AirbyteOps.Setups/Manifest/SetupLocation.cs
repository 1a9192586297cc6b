using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Manifest;

/// <summary>
/// Where a setup lives. <c>--setup my-setup</c> is a name under &lt;artifacts&gt;/setups/; anything with a slash, or an
/// archive extension, is a path. The secrets file sits next to the setup, outside it: &lt;name&gt;.secrets.json,
/// so the setup folder and its archive never hold a secret and can be committed or shared as they are.
/// </summary>
public sealed record SetupLocation(string Name, string? Folder, string? Archive, string SecretsFile)
{
    public static readonly IReadOnlyList<string> ArchiveExtensions = [".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip"];

    public static bool IsArchivePath(string path) => ArchiveExtensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    public static string SetupsDirectory(string artifactsDirectory) => Path.Combine(artifactsDirectory, "setups");

    /// <summary>Where an export writes: a named setup folder (plus its .tar.gz when <paramref name="archive"/>), or the given path.</summary>
    public static SetupLocation ForExport(string setup, string artifactsDirectory, bool archive)
    {
        if (IsPath(setup))
        {
            var full = Path.GetFullPath(setup.TrimEnd('/'));
            if (IsArchivePath(full))
            {
                if (!full.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) && !full.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase))
                    throw new SetupException($"ExportSetup writes archives as .tar.gz; '{setup}' names another format.");
                return new SetupLocation(StemOf(full), null, full, SecretsBeside(full));
            }
            return new SetupLocation(Path.GetFileName(full), full, archive ? full + ".tar.gz" : null, SecretsBeside(full));
        }
        CheckName(setup);
        var folder = Path.GetFullPath(Path.Combine(SetupsDirectory(artifactsDirectory), setup));
        return new SetupLocation(setup, folder, archive ? folder + ".tar.gz" : null, SecretsBeside(folder));
    }

    /// <summary>The existing setup a restore reads: the folder if there is one, else an archive of that name.</summary>
    public static SetupLocation ForRestore(string setup, string artifactsDirectory, string? secretsFile = null)
    {
        var candidates = new List<string>();
        if (IsPath(setup)) candidates.Add(Path.GetFullPath(setup.TrimEnd('/')));
        else
        {
            CheckName(setup);
            var folder = Path.GetFullPath(Path.Combine(SetupsDirectory(artifactsDirectory), setup));
            candidates.Add(folder);
            candidates.AddRange(ArchiveExtensions.Select(e => folder + e));
        }
        foreach (var candidate in candidates)
        {
            if (System.IO.Directory.Exists(candidate))
                return new SetupLocation(Path.GetFileName(candidate), candidate, null, secretsFile ?? SecretsBeside(candidate));
            if (File.Exists(candidate))
                return new SetupLocation(StemOf(candidate), null, candidate, secretsFile ?? SecretsBeside(candidate));
        }
        var looked = string.Join(", ", candidates.Take(2)) + (candidates.Count > 2 ? " (and .tgz, .tar.bz2, .tar.xz, .tar, .zip)" : "");
        throw new SetupException($"Setup '{setup}' not found (looked for {looked}); run ./build.sh ExportSetup --setup {setup} first, or pass the path of a setup folder or archive.");
    }

    private static bool IsPath(string setup) =>
        setup.Contains('/', StringComparison.Ordinal) || setup.Contains('\\', StringComparison.Ordinal) || setup.StartsWith('.') || IsArchivePath(setup);

    private static void CheckName(string name)
    {
        if (name.Length == 0 || name.Length > 100 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new SetupException($"'{name}' is not a setup name: use letters, digits, '-', '_' and '.', or pass a path.");
    }

    private static string StemOf(string path)
    {
        var file = Path.GetFileName(path);
        foreach (var extension in ArchiveExtensions)
            if (file.EndsWith(extension, StringComparison.OrdinalIgnoreCase)) return file[..^extension.Length];
        return file;
    }

    private static string SecretsBeside(string path) => Path.Combine(Path.GetDirectoryName(path)!, StemOf(path) + SecretVault.SecretsSuffix);
}
