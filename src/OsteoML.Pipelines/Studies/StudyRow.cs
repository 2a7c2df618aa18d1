using Microsoft.ML.Data;
using OsteoML.Domain;

namespace OsteoML.Pipelines.Studies;

/// <summary>
/// One study as the study source's IDataView holds it: who and where, never the voxels. Stages downstream load the
/// series from <see cref="SeriesPath"/> one row at a time. Text columns are empty and <see cref="Bmd"/> is NaN when
/// unknown (a study to screen has no labels).
/// </summary>
public sealed class StudyRow
{
    /// <summary>The study's id in this data set: the cohort's case id, else the StudyInstanceUID.</summary>
    public string StudyId { get; set; } = "";

    /// <summary>Groups a patient's studies (cross-validation, bootstrap); never printed.</summary>
    public string PatientId { get; set; } = "";

    public string StudyInstanceUid { get; set; } = "";
    public string SeriesInstanceUid { get; set; } = "";

    /// <summary>Folder holding the series' DICOM files (absolute).</summary>
    public string SeriesPath { get; set; } = "";

    /// <summary>The scanner site (<see cref="Studies.SiteKey"/>) read from the series' DICOM header.</summary>
    public string SiteKey { get; set; } = "";

    /// <summary>Cohort split (train, test, independent) when the source is a cohort manifest.</summary>
    public string Split { get; set; } = "";

    /// <summary>The manifest's hospital and scanner ids, for evaluation subsets (empty for a folder).</summary>
    public string Site { get; set; } = "";
    public string Scanner { get; set; } = "";

    /// <summary>Reference QCT BMD, mg/cm³; NaN when unknown.</summary>
    public float Bmd { get; set; } = float.NaN;

    /// <summary>Reference ACR class (normal, osteopenia, osteoporosis); empty when unknown.</summary>
    public string Class { get; set; } = "";

    /// <summary>The user's own vertebra masks for this series (<see cref="Segmentation.MaskSegmentation"/>): a label map or a folder
    /// of per-level files; empty to segment with the network. Not a column: the chain finds the masks' segmentation in its store.</summary>
    [NoColumn] public string MasksPath { get; set; } = "";

    /// <summary>How <see cref="MasksPath"/> numbers its levels.</summary>
    [NoColumn] public VertebraLabelScheme MasksScheme { get; set; } = VertebraLabelScheme.TotalSegmentator;

    [NoColumn] public bool HasLabels => float.IsFinite(Bmd);

    /// <summary>The patient keyed by the site's secret (<see cref="PatientKeyer"/>), empty without a secret or a PatientID. Not a column.</summary>
    [NoColumn] public string PatientKey { get; set; } = "";

    /// <summary>The series' DICOM StudyDate, or null. Not a column.</summary>
    [NoColumn] public DateOnly? StudyDate { get; set; }

    /// <summary>
    /// Files in the series' folder that could not be read (empty, truncated, not a regular file), each "file: reason":
    /// the series may be incomplete, so the result carries <see cref="Measurement.QaFlags.UnreadableFiles"/>. Not a column.
    /// </summary>
    [NoColumn] public IReadOnlyList<string> UnreadableFiles { get; set; } = [];
}
