using OsteoML.Dicom.Series;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Pipelines.Screening;

/// <summary>
/// One screened study as the result sinks receive it: the study, its result, the features the heads saw, and the volume
/// and segmentation it was measured on (null when the study failed, or when its features came from the feature cache
/// without the segmentation at hand — then no QA image or DICOM objects can be drawn).
/// </summary>
public sealed record ScreenedStudy(StudyRow Study, StudyResult Result, StudyFeatures Features, CtVolume? Volume, VertebraSegmentation? Segmentation);
