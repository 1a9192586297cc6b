using System.Text;

namespace AirbyteOps.Secrets;

/// <summary>
/// The one rule for which keys hold secrets, used wherever a secret must not be shown or stored: a setup's connection
/// files (their values move to the secrets file) and a dbt profiles.yml (its values are masked in dbt's output).
/// A key is secret when, lower-cased without '_', '-', '.' and spaces, it contains one of <see cref="Fragments"/>, is one
/// of <see cref="ExactKeys"/>, or is one of the caller's extra keys (as given, or normalized). Hiding too much is harmless;
/// hiding too little leaks.
/// </summary>
public static class SecretKeyPolicy
{
    /// <summary>Fragments of a normalized key that mark it secret.</summary>
    public static readonly IReadOnlyList<string> Fragments =
        ["password", "passwd", "passphrase", "secret", "token", "apikey", "accesskey", "privatekey", "credential"];

    /// <summary>
    /// Normalized keys that are secret only as a whole: dbt's "pass" and "keyfile_json" ("pass" inside a longer key is not),
    /// every name a connector spec of the file era marks <c>airbyte_secret</c> that no fragment covers (client_id in
    /// source-github, account_id in source-harvest, base_url in source-okta, jwt in source-zoom, ...; a test holds the list
    /// to every spec.json in airbyte-reference/specs), and service_account_json, which Google connectors leave unmarked.
    /// </summary>
    public static readonly IReadOnlyList<string> ExactKeys =
    [
        "pass", "keyfilejson", "serviceaccountjson",
        "clientid", "clientkey", "clientcertificate", "cacertificate", "accountid", "accountsid", "awskeyid", "realmid", "jwt", "sharedkey", "baseurl",
    ];

    public static bool IsSecretKey(string key, IReadOnlySet<string>? extraKeys = null)
    {
        if (extraKeys is not null && extraKeys.Contains(key)) return true;
        var normalized = Normalize(key);
        if (extraKeys is not null && extraKeys.Contains(normalized)) return true;
        if (ExactKeys.Contains(normalized, StringComparer.Ordinal)) return true;
        foreach (var fragment in Fragments)
            if (normalized.Contains(fragment, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>The key lower-cased without '_', '-', '.' and spaces.</summary>
    public static string Normalize(string key)
    {
        var sb = new StringBuilder(key.Length);
        foreach (var c in key)
            if (c is not ('_' or '-' or '.' or ' ')) sb.Append(char.ToLowerInvariant(c));
        return sb.ToString();
    }
}
