using OsteoML.Domain;
using OsteoML.Imaging;
using OsteoML.Imaging.Filtering;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Sampling;

namespace OsteoML.Synthesis.Rendering;

/// <summary>
/// Renders a case: for each slice, paints the scene at the slice's sub-slices (its box slice profile), averages
/// them into the true HU map, keeps the labels of the central sub-slice, then applies the reconstruction
/// (<see cref="ImageFormation"/>). Slices render in parallel; each slice's noise has its own random stream, so the
/// result does not depend on scheduling.
/// </summary>
public static class CaseRenderer
{
    public static SyntheticCase Render(CaseSpec spec, RenderOptions options, int maxDegreeOfParallelism = -1)
    {
        var grid = RenderGrid.For(spec.Acquisition, spec.Scanner.Matrix, spec.Coverage.ZBottomMm, spec.Coverage.ZTopMm, options);
        var scene = SceneBuilder.Build(spec.Anatomy, spec.Bone, spec.SoftTissue, spec.Pathology, spec.Acquisition, spec.SceneSeed, grid.PixelMm);
        var formation = new ImageFormation(grid, spec.Acquisition, spec.Scanner, scene, spec.Anatomy.Body.WaterDiameterCm);
        var geometry = grid.Geometry;
        var hu = new Volume<float>(geometry);
        var labels = new Volume<byte>(geometry);
        var plane = grid.Columns * grid.Rows;

        Parallel.For(0, grid.Slices, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            () => new SliceWork(grid),
            (k, _, work) =>
            {
                var image = work.Image;
                Array.Clear(image);
                var canvas = work.Canvas;
                for (var s = 0; s < grid.SubSlices; s++)
                {
                    canvas.Z = grid.SubSliceZ(k, s);
                    canvas.Clear(-1000, SyntheticLabels.Background);
                    foreach (var part in scene.Parts)
                        part.Paint(canvas);
                    SeparableConvolution.MultiplyAdd(canvas.Hu, 1f / grid.SubSlices, image);
                    if (s == grid.SubSlices / 2)
                        canvas.Label.AsSpan().CopyTo(labels.Voxels.AsSpan(k * plane, plane));
                }
                formation.Apply(image, grid.Columns, grid.Rows, new SynthRandom(SynthRandom.Derive(spec.NoiseSeed, "slice", k)), work.Buffers);
                image.AsSpan().CopyTo(hu.Voxels.AsSpan(k * plane, plane));
                return work;
            },
            _ => { });

        return new SyntheticCase(spec, options.Size, hu, labels, formation.NoiseSd, grid.ThicknessMm);
    }

    private sealed class SliceWork(RenderGrid grid)
    {
        public SliceCanvas Canvas { get; } = new(grid.Columns, grid.Rows, grid.X0, grid.Y0, grid.PixelMm, grid.PixelMm);
        public float[] Image { get; } = new float[grid.Columns * grid.Rows];
        public ImageFormation.Buffers Buffers { get; } = new(grid);
    }
}
