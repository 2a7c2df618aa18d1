using OsteoML.Domain;
using OsteoML.Synthesis.Anatomy;
using OsteoML.Synthesis.Sampling;

namespace OsteoML.Synthesis.Cohort;

/// <summary>
/// The craniocaudal range of a series (z of its lowest and highest slice centres) and the protocol it stands for.
/// A level counts as covered when its whole vertebral body lies inside the range.
/// </summary>
public sealed record Coverage(double ZBottomMm, double ZTopMm, string Protocol, IReadOnlyList<VertebralLevel> CoveredLevels)
{
    public bool Covers(VertebralLevel level) => CoveredLevels.Contains(level);

    public bool CoversL1AndL2 => Covers(VertebralLevel.L1) && Covers(VertebralLevel.L2);
}

/// <summary>
/// Draws where a series starts and stops, like routine chest and abdominal CTs: most start at T10–T12 (the
/// diaphragm) and stop anywhere from L2 to the sacrum; <c>nonCoverageShare</c> of them are chest CTs that stop
/// inside L1–L2 or lumbar/pelvic CTs that start inside L1–L2, so L1 and L2 are not both present.
/// </summary>
public static class CoverageModel
{
    /// <summary>Draws a range; the bottom is then moved up onto the series' slice grid (slices run down from the top
    /// every <paramref name="sliceSpacingMm"/>), so covered levels are those of the scanner's own series.</summary>
    public static Coverage Sample(AnatomyModel anatomy, double nonCoverageShare, double sliceSpacingMm, SynthRandom random)
    {
        VertebraGeometry V(VertebralLevel level) => anatomy[level];
        var highest = V(VertebralLevel.T10).ZMax - 2;
        var lowest = anatomy.Sacrum.Center.Z - 10;
        double top, bottom;
        string protocol;
        if (random.Bernoulli(nonCoverageShare))
        {
            if (random.Bernoulli(0.5))
            {
                protocol = "chest";
                top = random.Uniform(V(VertebralLevel.T10).Center.Z, highest);
                bottom = random.Uniform(V(VertebralLevel.L1).ZMin - 10, V(VertebralLevel.L2).Center.Z);
            }
            else
            {
                protocol = "lumbar-pelvis";
                top = random.Uniform(V(VertebralLevel.L2).Center.Z, V(VertebralLevel.L1).Center.Z);
                bottom = random.Uniform(lowest, V(VertebralLevel.L5).Center.Z);
            }
        }
        else
        {
            top = random.Choose([0.40, 0.35, 0.25]) switch
            {
                0 => random.Uniform(V(VertebralLevel.T10).Center.Z, highest),
                1 => random.Uniform(V(VertebralLevel.T11).Center.Z, V(VertebralLevel.T10).Center.Z),
                _ => random.Uniform(V(VertebralLevel.T12).Center.Z, V(VertebralLevel.T11).Center.Z),
            };
            var stop = random.Choose([0.20, 0.30, 0.50]);
            bottom = stop switch
            {
                0 => random.Uniform(V(VertebralLevel.L3).Center.Z, V(VertebralLevel.L2).ZMin - 5),
                1 => random.Uniform(V(VertebralLevel.L5).Center.Z, V(VertebralLevel.L3).Center.Z),
                _ => random.Uniform(lowest, V(VertebralLevel.L5).Center.Z),
            };
            protocol = stop == 0 ? "chest-abdomen" : "abdomen";
        }
        // Scanners report positions to 0.1 mm or better; keep the top on that grid and the bottom on the slice grid.
        top = Math.Round(top, 1);
        bottom = top - Math.Floor((top - bottom) / sliceSpacingMm + 1e-9) * sliceSpacingMm;
        var covered = anatomy.Vertebrae.Where(v => v.ZMin >= bottom && v.ZMax <= top).Select(v => v.Level).ToArray();
        return new Coverage(bottom, top, protocol, covered);
    }
}
