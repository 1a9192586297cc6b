namespace AirbyteOps.IO;

/// <summary>
/// Replaces a folder only with a complete one: the new content is made in a hidden sibling
/// (<see cref="AtomicFile.PartialPath"/>) and swapped in by renames; the folder it replaces is moved aside first, put back
/// if the swap fails, and deleted after. An interrupted fill never replaces a good folder.
/// </summary>
public static class AtomicDirectory
{
    /// <summary>Fills a hidden partial folder beside <paramref name="destination"/> through <paramref name="fill"/>, then swaps it in.</summary>
    public static async Task<T> WriteAsync<T>(string destination, Func<string, Task<T>> fill)
    {
        var partial = AtomicFile.PartialPath(destination);
        try
        {
            var result = await fill(partial).ConfigureAwait(false);
            Replace(partial, destination);
            return result;
        }
        finally
        {
            if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        }
    }

    /// <summary>Renames the complete folder <paramref name="complete"/> to <paramref name="destination"/>, replacing what is there.</summary>
    public static void Replace(string complete, string destination)
    {
        if (!Directory.Exists(destination))
        {
            Directory.Move(complete, destination);
            return;
        }
        var replaced = AtomicFile.Sibling(destination, "replaced");
        Directory.Move(destination, replaced);
        try
        {
            Directory.Move(complete, destination);
        }
        catch
        {
            if (!Directory.Exists(destination)) Directory.Move(replaced, destination);
            throw;
        }
        Directory.Delete(replaced, recursive: true);
    }
}
