using OsteoML.Imaging;

namespace OsteoML.Pipelines.Fractures;

/// <summary>
/// One body measured by <see cref="VertebralHeights"/>: its heights, its own frame (centroid, craniocaudal axis
/// <see cref="Axis"/> pointing superior, <see cref="Posterior"/> direction perpendicular to it) and whether the scan's
/// craniocaudal edge cuts it.
/// </summary>
public sealed record BodyMeasurement(BodyHeights Heights, Vec3 Centroid, Vec3 Axis, Vec3 Posterior, double DepthMm, double VolumeCm3, bool TouchesScanEdge);
