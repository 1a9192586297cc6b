namespace AirbyteOps.IO;

/// <summary>Writes a file beside its destination and renames it into place, so a kill mid-write never leaves half a file.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.partial-{Guid.NewGuid():N}";
        try
        {
            File.WriteAllText(temp, text);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
