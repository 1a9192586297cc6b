using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text;

namespace AirbyteOps.Build.Parameters;

/// <summary>One parameter as declared on <see cref="BuildParameters"/>: its names, type, default, range and secrecy.</summary>
public sealed class ParameterDescriptor
{
    private static readonly BuildParameters Defaults = new();

    private ParameterDescriptor(PropertyInfo property, ParameterAttribute attribute)
    {
        Property = property;
        Name = KebabCase(property.Name);
        Description = attribute.Description;
        EnvironmentVariable = attribute.EnvironmentVariable ?? "AIRBYTEOPS_" + Name.ToUpperInvariant().Replace('-', '_');
        Secret = attribute.Secret;
        Range = property.GetCustomAttribute<RangeAttribute>();
        Required = property.GetCustomAttribute<RequiredAttribute>() is not null;
        ValueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
    }

    /// <summary>Every parameter, in declaration order.</summary>
    public static IReadOnlyList<ParameterDescriptor> All { get; } = typeof(BuildParameters)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => (Property: p, Attribute: p.GetCustomAttribute<ParameterAttribute>()))
        .Where(p => p.Attribute is not null)
        .Select(p => new ParameterDescriptor(p.Property, p.Attribute!))
        .ToList();

    public PropertyInfo Property { get; }
    /// <summary>The command-line name without dashes: postgres-port.</summary>
    public string Name { get; }
    public string Description { get; }
    public string EnvironmentVariable { get; }
    public bool Secret { get; }
    public bool Required { get; }
    public RangeAttribute? Range { get; }
    /// <summary>The property's type without Nullable.</summary>
    public Type ValueType { get; }

    public bool IsList => ValueType == typeof(IReadOnlyList<string>);

    /// <summary>The default value (the property's initial value), as it is written on a command line; empty when unset.</summary>
    public string DefaultText => Format(Property.GetValue(Defaults));

    /// <summary>A value of this parameter as it is written on a command line (secrets are not hidden here: callers do that).</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        Enum e => EnumWord(e.ToString()),
        IEnumerable<string> list => string.Join(",", list),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The words an enum parameter takes.</summary>
    public IReadOnlyList<string> EnumWords => ValueType.IsEnum ? Enum.GetNames(ValueType).Select(EnumWord).ToList() : [];

    /// <summary>An enum member's word: lower case, words joined by '_' (FullRefresh → full_refresh, Airbyte's own spelling).</summary>
    public static string EnumWord(string member)
    {
        var word = new StringBuilder();
        foreach (var c in member)
        {
            if (char.IsUpper(c) && word.Length > 0) word.Append('_');
            word.Append(char.ToLowerInvariant(c));
        }
        return word.ToString();
    }

    /// <summary>Keys from any source compare after dropping case, dashes and underscores: --postgres-port, AIRBYTEOPS_POSTGRES_PORT and "PostgresPort" are one.</summary>
    public static string Normalize(string key) => new(key.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    public static ParameterDescriptor? Find(string key) => All.FirstOrDefault(p => Normalize(p.Name) == Normalize(key));

    private static string KebabCase(string name)
    {
        var text = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) text.Append('-');
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }
}
