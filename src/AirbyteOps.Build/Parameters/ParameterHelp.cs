namespace AirbyteOps.Build.Parameters;

/// <summary>The parameters part of --help, generated from <see cref="BuildParameters"/>: name, meaning, default (secrets redacted), variable.</summary>
public static class ParameterHelp
{
    public const string Redacted = "[REDACTED]";

    public static IEnumerable<string> Lines()
    {
        foreach (var p in ParameterDescriptor.All)
        {
            var value = p.Secret ? Redacted : p.DefaultText is { Length: > 0 } d ? d : "(empty)";
            var takes = p.EnumWords.Count > 0 ? $" ({string.Join("|", p.EnumWords)})" : "";
            yield return $"  --{p.Name,-24} {p.Description}{takes}";
            yield return $"  {"",-26} default: {value}; environment: {p.EnvironmentVariable}";
        }
    }

    /// <summary>The value as it may be printed: secrets as [REDACTED].</summary>
    public static string Describe(BuildParameters parameters, string name)
    {
        var p = ParameterDescriptor.Find(name) ?? throw new ArgumentException($"No parameter '{name}'.", nameof(name));
        return p.Secret ? Redacted : ParameterDescriptor.Format(p.Property.GetValue(parameters));
    }
}
