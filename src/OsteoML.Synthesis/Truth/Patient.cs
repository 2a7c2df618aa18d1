using OsteoML.Domain;

namespace OsteoML.Synthesis.Truth;

public enum Sex
{
    Female,
    Male,
}

/// <summary>ACR classes of lumbar trabecular BMD by QCT (ACR–SPR–SSR practice parameter, 2018).</summary>
public enum BmdClass
{
    Normal,
    Osteopenia,
    Osteoporosis,
}

public static class BmdClasses
{
    /// <summary>&gt; 120 mg/cm³ normal, 80–120 osteopenia, &lt; 80 osteoporosis.</summary>
    public static BmdClass Of(double bmdMgPerCm3) => bmdMgPerCm3 > AcrClasses.NormalAbove ? BmdClass.Normal
        : bmdMgPerCm3 >= AcrClasses.OsteoporosisBelow ? BmdClass.Osteopenia
        : BmdClass.Osteoporosis;

    /// <summary>The manifest spelling: normal, osteopenia, osteoporosis.</summary>
    public static string Name(this BmdClass value) => value.ToString().ToLowerInvariant();
}

/// <summary>Who the patient is: demographics and body habitus, the inputs of every other model.</summary>
public sealed record Patient(
    Sex Sex,
    double Age,
    double HeightCm,
    double WeightKg,
    double? MenopauseAge)
{
    public double Bmi => WeightKg / (HeightCm * HeightCm / 1e4);
}

/// <summary>
/// The bone truth of one patient: per-level trabecular BMD (mg/cm³, as QCT measures it), marrow fat, the
/// reference QCT measurement (mean of L1 and L2 plus measurement error) and its ACR class.
/// </summary>
public sealed record BoneTruth(
    IReadOnlyList<double> LevelBmd,
    double MarrowFatFraction,
    double QctError,
    double TextureAmplitude)
{
    public double Bmd(VertebralLevel level) => LevelBmd[(int)level];

    /// <summary>Mean of the true L1 and L2 trabecular BMD.</summary>
    public double TrueL1L2 => (Bmd(VertebralLevel.L1) + Bmd(VertebralLevel.L2)) / 2;

    /// <summary>The reference standard: the true L1–L2 mean as a QCT measurement would report it (relative error <see cref="QctError"/>).</summary>
    public double QctBmd => TrueL1L2 * (1 + QctError);

    public BmdClass Class => BmdClasses.Of(QctBmd);
}
