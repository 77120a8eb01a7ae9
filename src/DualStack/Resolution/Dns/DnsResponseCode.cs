namespace DualStack.Internal;

// <summary>The RCODE values a resolver tells apart (RFC 1035 section 4.1.1); any other value is kept as a number.</summary>
internal enum DnsResponseCode
{
    NoError = 0,
    FormatError = 1,
    ServerFailure = 2,
    NameError = 3,
    NotImplemented = 4,
    Refused = 5,
}
