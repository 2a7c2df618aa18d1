namespace OsteoML.Pipelines.Trends;

/// <summary>
/// When a level's Genant grade in a later study counts as a new fracture against its grade in the earliest study that graded it.
/// The per-study grader calls grade 1 (20–25 % height loss) on some normal vertebrae (endplate sclerosis, docs/fractures.md),
/// and such a call comes and goes between studies, so a rise to grade 1 alone is weak evidence.
/// </summary>
public enum NewFractureRule
{
    /// <summary>Any rise of the grade.</summary>
    AnyRise,

    /// <summary>A rise to grade ≥ 2 (moderate, > 25 % height loss) or by ≥ 2 grades.</summary>
    ModerateOrTwoGrades,

    /// <summary><see cref="ModerateOrTwoGrades"/>, or a rise to grade ≥ 1 that the level's next study confirms (at least the same grade).</summary>
    ModerateOrConfirmed,

    /// <summary><see cref="ModerateOrConfirmed"/> at a level that was normal (grade 0) in its earliest graded study: the semi-quantitative
    /// definition of an incident fracture (a normal vertebra that becomes fractured). A prevalent fracture whose grade is read one
    /// higher later is a worsening, not a new fracture, and such readings flicker as grade-1 calls do.</summary>
    IncidentModerateOrConfirmed,
}
