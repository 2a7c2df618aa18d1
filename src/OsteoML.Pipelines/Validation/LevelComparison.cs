namespace OsteoML.Pipelines.Validation;

/// <summary>
/// One level named by us or by the reference, compared voxel by voxel on the CT's grid. <paramref name="ReferenceLevelAtOurs"/>:
/// the reference level our mask overlaps most (null where we did not name this level or it overlaps none).
/// <paramref name="Dice"/> is our trabecular mask against the reference body, <paramref name="DiceEroded"/> against that body less
/// one voxel (the cancellous core our class stands for); HU: our ROI as the pipeline measures it, and the reference body eroded by
/// one voxel (6-neighbour cross).
/// </summary>
public sealed record LevelComparison(string Level, string? ReferenceLevelAtOurs, double? Dice, double? DiceEroded, double? CentroidDistanceMm,
    double? OurMeanHu, double? OurMedianHu, double? ReferenceMeanHu, double? ReferenceMedianHu, double? OurVolumeCm3, double? ReferenceVolumeCm3);
