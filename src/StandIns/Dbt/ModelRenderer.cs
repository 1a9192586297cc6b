using System.Globalization;
using System.Text;

namespace AirbyteOps.StandIns.Dbt;

/// <summary>
/// Renders a model's Jinja into Postgres SQL the way dbt 0.18 with dbt-utils 0.6.2 and Airbyte's normalization macros
/// would for a postgres target. Only the macros Airbyte's generated models use are known; any other is a compilation error.
/// </summary>
public sealed class ModelRenderer(DbtProject project, ProfileTarget target, SourceCatalog sources, IReadOnlyCollection<string> modelNames)
{
    public RenderedModel Render(ModelFile model)
    {
        var refs = new List<string>();
        var config = project.ConfigFor(model.ModelPathRelative);
        var sql = new StringBuilder();
        var text = model.Template;
        var pos = 0;
        while (pos < text.Length)
        {
            var open = text.IndexOf('{', pos);
            if (open < 0 || open + 1 >= text.Length)
            {
                sql.Append(text, pos, text.Length - pos);
                break;
            }
            var kind = text[open + 1];
            if (kind is not ('{' or '%' or '#'))
            {
                sql.Append(text, pos, open + 1 - pos);
                pos = open + 1;
                continue;
            }
            sql.Append(text, pos, open - pos);
            var closer = kind switch { '{' => "}}", '%' => "%}", _ => "#}" };
            var close = text.IndexOf(closer, open + 2, StringComparison.Ordinal);
            if (close < 0) throw new CompilationException($"unexpected end of template: '{{{kind}' is never closed");
            var inner = text[(open + 2)..close].Trim('-');
            pos = close + 2;
            switch (kind)
            {
                case '#':
                    break;
                case '%':
                    throw new CompilationException($"this stand-in dbt renders expressions only; the statement '{{% {inner.Trim()} %}}' is not supported");
                default:
                    var value = ExpressionParser.Evaluate(inner, (name, args, kwargs) => Call(name, args, kwargs, refs, config));
                    sql.Append(ToText(value));
                    break;
            }
        }
        var materialized = config.GetValueOrDefault("materialized", "view");
        if (materialized is not ("table" or "view"))
            throw new CompilationException($"this stand-in dbt materializes table and view, not '{materialized}'");
        return new RenderedModel(model, sql.ToString(), refs, materialized, SchemaFor(config));
    }

    /// <summary>dbt's default generate_schema_name: the target schema, or target_custom for a model with a schema config.</summary>
    private string SchemaFor(IReadOnlyDictionary<string, string> config) =>
        config.TryGetValue("schema", out var custom) && custom.Length > 0 ? $"{target.Schema}_{custom}" : target.Schema;

    private object? Call(string name, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs, List<string> refs, Dictionary<string, string> config)
    {
        string Arg(int i, string argName) =>
            (i < args.Count ? args[i] : kwargs.GetValueOrDefault(argName)) is { } v ? ToText(v) : throw new CompilationException($"macro '{name}' needs argument '{argName}'");
        List<string> ListArg(int i, string argName) =>
            (i < args.Count ? args[i] : kwargs.GetValueOrDefault(argName)) switch
            {
                List<object?> list => list.Select(ToText).ToList(),
                string s => [s],
                _ => throw new CompilationException($"macro '{name}' needs a list for '{argName}'"),
            };

        switch (name)
        {
            case "config":
                foreach (var (key, value) in kwargs) config[key] = ToText(value);
                return "";
            case "source":
                var sourceName = Arg(0, "source_name");
                var tableName = Arg(1, "table_name");
                if (!sources.TryGet(sourceName, tableName, out var relation))
                    throw new CompilationException($"Model depends on a source named '{sourceName}.{tableName}' which was not found");
                return Relation(relation.Database ?? target.Database, relation.Schema, relation.Identifier);
            case "ref":
                var refName = Arg(args.Count - 1, "model_name");
                if (!modelNames.Contains(refName))
                    throw new CompilationException($"Model depends on a node named '{refName}' which was not found");
                refs.Add(refName);
                return Relation(target.Database, target.Schema, refName);

            // Airbyte normalization's json macros, postgres flavour: jsonb_extract_path(_text)(column, 'a', 'b').
            case "json_extract_scalar":
                return $"jsonb_extract_path_text({Arg(0, "json_column")}, {JsonPath(ListArg(1, "json_path_list"))})";
            case "json_extract" or "json_extract_array":
                return $"jsonb_extract_path({Arg(0, "json_column")}, {JsonPath(ListArg(1, "json_path_list"))})";

            // dbt-utils 0.6.2, postgres flavour.
            case "dbt_utils.type_string": return "varchar";
            case "dbt_utils.type_float": return "float";
            case "dbt_utils.type_int": return "int";
            case "dbt_utils.type_bigint": return "bigint";
            case "dbt_utils.type_numeric": return "numeric(28,6)";
            case "dbt_utils.type_timestamp": return "timestamp";
            case "dbt_utils.current_timestamp": return "now()";
            case "dbt_utils.current_timestamp_in_utc": return "(current_timestamp at time zone 'utc')::timestamp";
            case "dbt_utils.hash": return Hash(Arg(0, "field"));
            case "dbt_utils.concat": return Concat(ListArg(0, "fields"));
            case "dbt_utils.surrogate_key": return SurrogateKey(args.Count == 1 && args[0] is List<object?> ? ListArg(0, "field_list") : args.Select(ToText).ToList());
            default:
                throw new CompilationException($"'{name}' is undefined (this stand-in dbt knows: {string.Join(", ", KnownMacros)})");
        }
    }

    public static readonly IReadOnlyList<string> KnownMacros =
    [
        "config", "source", "ref", "json_extract_scalar", "json_extract", "json_extract_array",
        "dbt_utils.type_string", "dbt_utils.type_float", "dbt_utils.type_int", "dbt_utils.type_bigint", "dbt_utils.type_numeric",
        "dbt_utils.type_timestamp", "dbt_utils.current_timestamp", "dbt_utils.current_timestamp_in_utc",
        "dbt_utils.hash", "dbt_utils.concat", "dbt_utils.surrogate_key",
    ];

    /// <summary>dbt-utils 0.6.2 surrogate_key: md5 of the fields cast to text, nulls as '', joined with '-'.</summary>
    public static string SurrogateKey(IReadOnlyList<string> fields)
    {
        var parts = new List<string>();
        for (var i = 0; i < fields.Count; i++)
        {
            parts.Add($"coalesce(cast({fields[i]} as varchar), '')");
            if (i < fields.Count - 1) parts.Add("'-'");
        }
        return Hash(Concat(parts));
    }

    public static string Hash(string field) => $"md5(cast({field} as varchar))";

    public static string Concat(IReadOnlyList<string> fields) => $"concat({string.Join(", ", fields)})";

    public static string JsonPath(IReadOnlyList<string> path) => string.Join(", ", path.Select(p => $"'{p.Replace("'", "''", StringComparison.Ordinal)}'"));

    public string Relation(string database, string schema, string identifier) =>
        $"{Quote(database, "database")}.{Quote(schema, "schema")}.{Quote(identifier, "identifier")}";

    private string Quote(string name, string part) =>
        project.Quotes(part) ? $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : name;

    private static string ToText(object? value) => value switch
    {
        null => "None",
        string s => s,
        bool b => b ? "True" : "False",
        double d => d.ToString(CultureInfo.InvariantCulture),
        List<object?> list => "[" + string.Join(", ", list.Select(i => i is string s ? $"'{s}'" : ToText(i))) + "]",
        _ => value.ToString() ?? "",
    };
}
