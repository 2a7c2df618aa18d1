using OsteoML.Synthesis.Truth;

namespace OsteoML.Pipelines.Fractures;

/// <summary>One named vertebra of one synthetic case: the generator's truth beside the pipeline's assessment.</summary>
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
    VertebraAssessment Assessment)
{
    public bool Graded => Assessment.GenantGrade is not null;
}
