namespace AirbyteOps.Setups.Secrets;

/// <summary>What an export does with secret values of connection configurations.</summary>
public enum SecretsMode
{
    /// <summary>Values move to a sidecar secrets file (0600, git-ignored); the tree holds placeholders. The default.</summary>
    Sidecar,

    /// <summary>Values stay in the tree in plain text, as the tutorial's <c>docker cp</c> does. Do not commit or share.</summary>
    Inline,
}
