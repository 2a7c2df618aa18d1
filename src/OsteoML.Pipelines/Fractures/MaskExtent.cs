namespace OsteoML.Pipelines.Fractures;

/// <summary>What a level mask covers, which decides how its extent becomes a body height.</summary>
public enum MaskExtent
{
    /// <summary>The trabecular (cancellous) core only, as VB-Net-lite's trabecular class: the endplates' cortex lies
    /// outside it, so each height gets <see cref="VertebralHeightOptions.EndplateMm"/> added at both ends.</summary>
    TrabecularCore,

    /// <summary>The whole body, cortex and endplates included (e.g. TotalSegmentator's body masks): no allowance.</summary>
    WholeBody,
}
