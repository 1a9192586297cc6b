namespace AirbyteOps.Setups.Era;

/// <summary>What a deployment is cannot be backed up or restored by AirbyteOps; the message names what was found and what the user can do.</summary>
public sealed class DeploymentNotSupportedException(DeploymentNotSupportedReason reason, string message) : AirbyteOpsException(message)
{
    public DeploymentNotSupportedReason Reason { get; } = reason;
}

public enum DeploymentNotSupportedReason
{
    /// <summary>Airbyte 0.64 or later: no docker-compose deployment any more (Kubernetes only).</summary>
    Airbyte064OrLater,

    /// <summary>Secrets in an external secret manager: the database holds only their coordinates.</summary>
    ExternalSecretManager,

    /// <summary>Airbyte's database is not the compose project's airbyte-db.</summary>
    ExternalDatabase,

    /// <summary>The version and the database disagree about where the configuration is.</summary>
    Inconsistent,
}
