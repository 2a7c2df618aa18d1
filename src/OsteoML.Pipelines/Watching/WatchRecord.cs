using System.Text.Json.Serialization;
using OsteoML.Pipelines.Screening;

namespace OsteoML.Pipelines.Watching;

/// <summary>
/// One line of a watcher's <c>watch.jsonl</c>: what became of one CT series (or of a whole study whose series could not be
/// listed), with which bundle, when. UIDs only — no patient attribute ever reaches the state folder.
/// </summary>
/// <param name="SeriesInstanceUid">Empty when the study failed before its series were known.</param>
/// <param name="Reason">Why the series was refused or failed; null when a BMD was reported.</param>
/// <param name="Objects">DICOM objects sent back to the PACS (SR, SEG, QA capture).</param>
public sealed record WatchRecord(
    string StudyInstanceUid,
    string SeriesInstanceUid,
    StudyStatus Status,
    string? Reason,
    int Objects,
    string BundleSha256,
    DateTimeOffset Time)
{
    /// <summary>What the record is about: the series UID, or <c>study:UID</c> for a study-level failure.</summary>
    [JsonIgnore]
    public string Key => KeyOf(StudyInstanceUid, SeriesInstanceUid);

    public static string KeyOf(string studyInstanceUid, string seriesInstanceUid) =>
        seriesInstanceUid.Length > 0 ? seriesInstanceUid : "study:" + studyInstanceUid;
}
