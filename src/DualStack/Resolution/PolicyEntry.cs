namespace DualStack;

// <summary>One row of the RFC 6724 policy table: a prefix with its precedence and label.</summary>
internal readonly record struct PolicyEntry(UInt128 Prefix, int PrefixLength, int Precedence, int Label);
