using OsteoML.Pipelines.Fractures;
using OsteoML.Synthesis.Truth;

namespace OsteoML.Validation.Fractures;

/// <summary>One named vertebra of one synthetic case: the generator's truth beside the pipeline's assessment, with the
/// other pathology at that level that can mislead a height (<see cref="Confounders"/>: endplate_sclerosis, schmorl_node,
/// bone_island, osteophyte).</summary>
public sealed record FractureValidationRow(
    string CaseId,
    string Split,
    string Site,
    double SliceThicknessMm,
    string Level,
    int TrueGrade,
    FractureShape? TrueShape,
    double TrueLoss,
    BodyHeights TrueHeights,
    IReadOnlyList<string> Confounders,
    VertebraAssessment Assessment)
{
    public bool Graded => Assessment.GenantGrade is not null;
}
