using OsteoML.Domain;
using OsteoML.Synthesis.Sampling;

namespace OsteoML.Synthesis.Truth;

public enum FractureShape
{
    /// <summary>Anterior height lost, posterior wall intact.</summary>
    Wedge,
    /// <summary>Both endplates collapse centrally.</summary>
    Biconcave,
    /// <summary>The whole body loses height.</summary>
    Crush,
}

/// <summary>An osteoporotic compression fracture, graded by Genant's semi-quantitative method (grade 1: 20–25 %
/// height loss, 2: 25–40 %, 3: &gt; 40 %).</summary>
public sealed record CompressionFracture(VertebralLevel Level, int GenantGrade, double HeightLoss, FractureShape Shape);

/// <summary>A marginal osteophyte at an endplate rim; angle 0° points anterior, ±90° lateral (+ = patient left).</summary>
public sealed record Osteophyte(VertebralLevel Level, bool Superior, double AngleDeg, double LengthMm, double WidthMm);

/// <summary>A dense focus inside a vertebral body: a bone island (round), or degenerative endplate sclerosis (a band).
/// Positions are fractions of the body's half-axes (u left, v posterior, w superior).</summary>
public sealed record SclerosisFocus(VertebralLevel Level, double U, double V, double W, double RadiusMm, double MineralMgPerCm3, bool EndplateBand);

/// <summary>Disc material herniated through an endplate into the body, with a thin sclerotic rim.</summary>
public sealed record SchmorlNode(VertebralLevel Level, bool Superior, double U, double V, double RadiusMm);

/// <summary>A calcified plaque in the aortic wall at the height of <see cref="Level"/> (+ offset in body heights);
/// angle 0° = posterior wall, + towards the patient's left.</summary>
public sealed record AorticPlaque(VertebralLevel Level, double Offset, double AngleDeg, double ArcDeg, double LengthMm, double ThicknessMm, double MineralMgPerCm3);

public sealed record Pathology(
    IReadOnlyList<CompressionFracture> Fractures,
    IReadOnlyList<Osteophyte> Osteophytes,
    IReadOnlyList<SclerosisFocus> Sclerosis,
    IReadOnlyList<SchmorlNode> SchmorlNodes,
    IReadOnlyList<AorticPlaque> AorticPlaques)
{
    public CompressionFracture? FractureAt(VertebralLevel level) => Fractures.FirstOrDefault(f => f.Level == level);
}

/// <summary>
/// Pathology at published rates. Vertebral fractures: about 3 % below 60 rising to ~20 % at 70+ (Tromsø study,
/// Waterloo et al. 2012; NHANES 2013–14, Cosman et al. 2017), a third with more than one, most at T12–L2, more
/// likely at low BMD. Osteophytes: 74 % of women and 84 % of men over 50 (O'Neill et al. 1999). Schmorl nodes:
/// 28 % (men 35 %, women 20 %), most at L1–L3 (Yin et al. 2015). Aortic calcification: &lt; 16 % below 45,
/// ~90 % above 65 (Chuang et al. 2012). Bone islands and endplate sclerosis: modelling assumptions (docs/synthesis.md).
/// </summary>
public static class PathologyModel
{
    private static readonly double[] FractureLevelWeights = [0.06, 0.12, 0.24, 0.24, 0.14, 0.10, 0.07, 0.03];
    private static readonly double[] SchmorlLevelWeights = [0.08, 0.10, 0.13, 0.18, 0.18, 0.16, 0.11, 0.06];

    public static Pathology Sample(Patient patient, BoneTruth bone, SynthRandom random)
    {
        var spineBmd = bone.TrueL1L2;
        return new Pathology(
            SampleFractures(patient, spineBmd, random),
            SampleOsteophytes(patient, random),
            SampleSclerosis(patient, random),
            SampleSchmorl(patient, random),
            SamplePlaques(patient, random));
    }

    /// <summary>Probability of at least one prevalent fracture: rises with age and with low BMD.</summary>
    public static double FractureProbability(double age, double bmd) =>
        Logistic(-3.1 + 0.06 * (age - 60) + 0.025 * (100 - bmd));

    /// <summary>One new fracture at a level that has none (none when every level has one): grade, loss and shape as for prevalent fractures.</summary>
    public static CompressionFracture? SampleNewFracture(IReadOnlyList<CompressionFracture> existing, SynthRandom random)
    {
        var weights = (double[])FractureLevelWeights.Clone();
        foreach (var f in existing) weights[(int)f.Level] = 0;
        return weights.Sum() <= 0 ? null : SampleFracture((VertebralLevel)random.Choose(weights), random);
    }

    private static CompressionFracture SampleFracture(VertebralLevel level, SynthRandom random)
    {
        var grade = random.Choose([0.55, 0.35, 0.10]) + 1;
        var loss = grade switch
        {
            1 => random.Uniform(0.20, 0.25),
            2 => random.Uniform(0.25, 0.40),
            _ => random.Uniform(0.40, 0.55),
        };
        var shape = (FractureShape)random.Choose([0.55, 0.30, 0.15]);
        return new CompressionFracture(level, grade, loss, shape);
    }

    private static List<CompressionFracture> SampleFractures(Patient patient, double bmd, SynthRandom random)
    {
        var fractures = new List<CompressionFracture>();
        if (!random.Bernoulli(FractureProbability(patient.Age, bmd)))
            return fractures;
        var count = random.Choose([0.7, 0.22, 0.08]) + 1;
        var weights = (double[])FractureLevelWeights.Clone();
        for (var i = 0; i < count; i++)
        {
            var level = (VertebralLevel)random.Choose(weights);
            weights[(int)level] = 0;
            fractures.Add(SampleFracture(level, random));
        }
        return fractures;
    }

    private static List<Osteophyte> SampleOsteophytes(Patient patient, SynthRandom random)
    {
        var result = new List<Osteophyte>();
        var prevalence = Logistic((patient.Age - (patient.Sex == Sex.Male ? 50 : 55)) / 8.0);
        if (!random.Bernoulli(prevalence))
            return result;
        var discs = Math.Min(6, 1 + random.Poisson(0.08 * Math.Max(0, patient.Age - 45)));
        var candidates = VertebralLevels.All.Take(VertebralLevels.Count - 1).ToList();
        random.Shuffle(candidates);
        foreach (var upper in candidates.Take(discs))
        {
            // Spurs grow on both rims facing the degenerate disc, mostly anterior and lateral.
            foreach (var (level, superior) in new[] { (upper, false), (upper + 1, true) })
            {
                var spurs = random.Next(1, 4);
                for (var s = 0; s < spurs; s++)
                {
                    var angle = random.Bernoulli(0.5) ? random.Normal(0, 25) : random.Normal(random.Bernoulli(0.5) ? 80 : -80, 15);
                    result.Add(new Osteophyte(level, superior, angle, random.Uniform(2, 7), random.Uniform(4, 10)));
                }
            }
        }
        return result;
    }

    private static List<SclerosisFocus> SampleSclerosis(Patient patient, SynthRandom random)
    {
        var result = new List<SclerosisFocus>();
        if (random.Bernoulli(0.05))
        {
            var level = (VertebralLevel)random.Next(0, VertebralLevels.Count);
            result.Add(new SclerosisFocus(level, random.Uniform(-0.5, 0.5), random.Uniform(-0.5, 0.4), random.Uniform(-0.5, 0.5),
                random.Uniform(2, 7), random.Uniform(700, 1100), EndplateBand: false));
        }
        if (random.Bernoulli(0.15 * Logistic((patient.Age - 60) / 8.0) * 2))
        {
            var level = (VertebralLevel)random.Next(1, VertebralLevels.Count);
            result.Add(new SclerosisFocus(level, 0, 0, random.Bernoulli(0.5) ? 1 : -1,
                random.Uniform(3, 8), random.Uniform(150, 400), EndplateBand: true));
        }
        return result;
    }

    private static List<SchmorlNode> SampleSchmorl(Patient patient, SynthRandom random)
    {
        var result = new List<SchmorlNode>();
        if (!random.Bernoulli(patient.Sex == Sex.Male ? 0.35 : 0.20))
            return result;
        var count = 1 + random.Poisson(0.5);
        for (var i = 0; i < count; i++)
        {
            var level = (VertebralLevel)random.Choose(SchmorlLevelWeights);
            result.Add(new SchmorlNode(level, random.Bernoulli(0.57), random.Uniform(-0.35, 0.35), random.Uniform(-0.2, 0.45), random.Uniform(2.5, 6)));
        }
        return result;
    }

    private static List<AorticPlaque> SamplePlaques(Patient patient, SynthRandom random)
    {
        var result = new List<AorticPlaque>();
        var prevalence = Logistic((patient.Age - (patient.Sex == Sex.Male ? 50 : 54)) / 6.0);
        if (!random.Bernoulli(prevalence))
            return result;
        var count = 1 + random.Poisson(Math.Max(0.5, 0.25 * (patient.Age - 45)));
        for (var i = 0; i < count; i++)
        {
            // Calcium concentrates in the infrarenal aorta (L2–L4) and on its posterior and lateral walls.
            var level = (VertebralLevel)random.Choose([0.03, 0.05, 0.08, 0.12, 0.20, 0.26, 0.26, 0]);
            result.Add(new AorticPlaque(level, random.Uniform(-0.6, 0.6), random.Normal(0, 70), random.Uniform(20, 90),
                random.Uniform(3, 15), random.Uniform(1, 2.5), random.Uniform(400, 900)));
        }
        return result;
    }

    private static double Logistic(double x) => 1 / (1 + Math.Exp(-x));
}
