using System.Text;
using System.Text.RegularExpressions;

namespace AirbyteOps.Secrets;

/// <summary>
/// The one rule for which keys hold secrets, used wherever a secret must not be shown or stored: a setup's connection
/// files (their values move to the secrets file) and a dbt profiles.yml (its values are masked in dbt's output).
/// A key is secret when, lower-cased without '_', '-', '.' and spaces, it contains one of <see cref="Fragments"/>, is one
/// of <see cref="ExactKeys"/>, or is one of the caller's extra keys (as given, or normalized). Hiding too much is harmless;
/// hiding too little leaks.
/// </summary>
public static partial class SecretKeyPolicy
{
    /// <summary>Fragments of a normalized key that mark it secret.</summary>
    public static readonly IReadOnlyList<string> Fragments =
        ["password", "passwd", "passphrase", "secret", "token", "apikey", "accesskey", "privatekey", "credential"];

    /// <summary>
    /// Normalized keys that are secret only as a whole: dbt's "pass", ODBC's "pwd" and "keyfile_json" ("pass" inside a longer key is not),
    /// every name a connector spec of the file era marks <c>airbyte_secret</c> that no fragment covers (client_id in
    /// source-github, account_id in source-harvest, base_url in source-okta, jwt in source-zoom, ...; a test holds the list
    /// to every spec.json in airbyte-reference/specs), and service_account_json, which Google connectors leave unmarked.
    /// </summary>
    public static readonly IReadOnlyList<string> ExactKeys =
    [
        "pass", "pwd", "keyfilejson", "serviceaccountjson",
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

    /// <summary>
    /// True when a value carries a credential inside a URL or connection string, whatever its key is called (a
    /// <c>database_url</c>, <c>jdbc_url_params</c>, a <c>host</c> holding a whole URI): a password in the user info
    /// (<c>postgresql://user:pass@host/db</c>, <c>mongodb+srv://...</c>), Oracle's thin form (<c>jdbc:oracle:thin:user/pass@host</c>),
    /// or a <c>name=value</c> parameter whose name is secret by <see cref="IsSecretKey"/> (<c>?password=...</c>,
    /// <c>;password=...;</c>, libpq's <c>password=...</c>, <c>&amp;access_token=...</c>). The whole value is then the secret.
    /// </summary>
    public static bool HoldsCredentials(string value)
    {
        if (value.Length == 0 || (value.IndexOf('@') < 0 && value.IndexOf('=') < 0)) return false;
        if (UserInfoWithPassword().IsMatch(value) || OracleThinCredentials().IsMatch(value)) return true;
        foreach (Match parameter in NameValue().Matches(value))
            if (parameter.Groups["value"].Length > 0 && IsSecretKey(parameter.Groups["name"].Value)) return true;
        return false;
    }

    // scheme://user:password@host : RFC 3986 user info holds no raw '/', '?', '#' or '@' (they are %-encoded), so
    // http://host:8080/path@v2 is no credential.
    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@:]*:[^\s/?#@]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfoWithPassword();

    [GeneratedRegex(@"jdbc:oracle:[a-z]+:[^\s/@:]+/[^\s@]+@", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex OracleThinCredentials();

    // A parameter starts the value or follows ? & ; or a space (query strings, JDBC properties, libpq key=value strings).
    [GeneratedRegex(@"(?:^|[?&;\s])(?<name>[A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(?<value>[^&;\s]*)", RegexOptions.CultureInvariant)]
    private static partial Regex NameValue();

    /// <summary>The key lower-cased without '_', '-', '.' and spaces.</summary>
    public static string Normalize(string key)
    {
        var sb = new StringBuilder(key.Length);
        foreach (var c in key)
            if (c is not ('_' or '-' or '.' or ' ')) sb.Append(char.ToLowerInvariant(c));
        return sb.ToString();
    }
}
