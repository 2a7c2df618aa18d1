namespace OsteoML.Results;

/// <summary>
/// One shard's progress for one bundle: results with a BMD or a reasoned refusal (<see cref="Done"/>), failures, and the
/// studies under the root not yet in the database (<see cref="Pending"/>; null when no study list was given).
/// </summary>
public sealed record ShardStatus(int Shard, int Done, int Failed, int? Pending);
