using System.Text.Json.Serialization;
using OsteoML.Pipelines.Fractures;

namespace OsteoML.Pipelines.Screening;

/// <summary>
/// How screening one study ended. Written in JSON, CSV and the SR as its lower-case name (<c>ok</c>, <c>refused</c>,
/// <c>failed</c>) — the names result files have always carried, so older files still read.
/// </summary>
[JsonConverter(typeof(JsonCamelCaseEnum<StudyStatus>))]
public enum StudyStatus
{
    /// <summary>A BMD is reported.</summary>
    Ok,

    /// <summary>The study was read but L1/L2 could not be named (the QA flags say why): no BMD rather than a guess.</summary>
    Refused,

    /// <summary>The study could not be screened; <see cref="StudyResult.Error"/> says why.</summary>
    Failed,
}
