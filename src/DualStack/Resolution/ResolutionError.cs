namespace DualStack;

/// <summary>Why a name could not be resolved, in the terms of getaddrinfo's <c>EAI_*</c> codes.</summary>
public enum ResolutionError
{
    /// <summary>Something else went wrong (<c>EAI_FAIL</c>, <c>EAI_SYSTEM</c>).</summary>
    Failure,

    /// <summary>The name does not exist (<c>EAI_NONAME</c>, DNS <c>NXDOMAIN</c>).</summary>
    NoSuchName,

    /// <summary>A temporary failure; asking again later may work (<c>EAI_AGAIN</c>, DNS <c>SERVFAIL</c>).</summary>
    TryAgain,

    /// <summary>The name exists but has no address of the family asked for (<c>EAI_NODATA</c>).</summary>
    NoData,

    /// <summary>The address family is not supported (<c>EAI_FAMILY</c>).</summary>
    FamilyNotSupported,

    /// <summary>The service name is unknown (<c>EAI_SERVICE</c>).</summary>
    BadService,

    /// <summary>The resolver did not answer in time.</summary>
    Timeout,
}
