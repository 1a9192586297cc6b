using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AirbyteOps.Setups.Manifest;

/// <summary>One JSON style for the manifest and the secrets file: camelCase, indented (diffs well in git), raw characters kept.</summary>
internal static class SetupJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // The secrets file stores raw JSON string contents; escaping '+' or '<' again would still round-trip,
        // but keeping them readable makes the file reviewable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };
}
