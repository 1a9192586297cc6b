namespace AirbyteOps.Images;

/// <summary>A .NET project published self-contained for linux-x64 into a subfolder of an image's build context.</summary>
public sealed record AppPublish(string Project, string Subfolder);
