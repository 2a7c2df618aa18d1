using System.Text.Json.Serialization;

namespace OsteoML.Pipelines.Fractures;

/// <summary>
/// One vertebra in the result: its heights (mm, along its own axis, endplates included), Genant's semi-quantitative
/// grade (0 normal, 1 mild 20–25 %, 2 moderate 25–40 %, 3 severe &gt; 40 % height loss) with the shape, the height
/// loss behind the grade, and — when <see cref="GenantGrade"/> is null — why it was not graded.
/// </summary>
public sealed record VertebraAssessment
{
    public required string Level { get; init; }
    public BodyHeights? HeightsMm { get; init; }
    public int? GenantGrade { get; init; }
    [JsonConverter(typeof(JsonCamelCaseEnum<VertebralFractureShape>))]
    public VertebralFractureShape? FractureShape { get; init; }
    /// <summary>The largest of the wedge, biconcave and crush losses (fraction), whether or not it reaches grade 1.</summary>
    public double? HeightLoss { get; init; }
    [JsonConverter(typeof(JsonCamelCaseEnum<FractureRefusal>))]
    public FractureRefusal? Refusal { get; init; }

    /// <summary>Graded as fractured (grade ≥ 1).</summary>
    [JsonIgnore] public bool Fractured => GenantGrade >= 1;
}
