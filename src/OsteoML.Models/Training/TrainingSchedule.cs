using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace OsteoML.Models.Training;

/// <summary>One optimisation step, as reported to a progress sink.</summary>
public sealed record TrainingStep(int Step, int Steps, double Loss, double LearningRate, TimeSpan Elapsed);

/// <summary>What a training run did: the loss of every step and the wall time.</summary>
public sealed record TrainingRun(IReadOnlyList<double> Losses, TimeSpan Elapsed)
{
    /// <summary>Mean loss over a window of steps, [from, from + count).</summary>
    public double MeanLoss(int from, int count) => Losses.Skip(from).Take(count).Average();
}

/// <summary>
/// The optimisation loop both networks share: AdamW, a linear warm-up over the first 5 % of steps, then cosine
/// decay to 2 % of the peak learning rate. Each step runs in its own dispose scope so native tensors never pile up.
/// </summary>
internal static class TrainingSchedule
{
    public static double LearningRate(int step, int steps, double peak)
    {
        var warmup = Math.Max(1, steps / 20);
        if (step < warmup)
            return peak * (step + 1) / warmup;
        var progress = (double)(step - warmup) / Math.Max(1, steps - warmup);
        return peak * (0.02 + 0.98 * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    /// <param name="checkpoint">Called in eval mode, without gradients, after every <paramref name="checkpointEvery"/> steps
    /// (not after the last: the caller exports the final model itself), with the steps done and the losses so far.</param>
    public static TrainingRun Run(nn.Module model, int steps, double peakLearningRate, double weightDecay,
        Func<Tensor> lossOfNextBatch, IProgress<TrainingStep>? progress, CancellationToken cancel,
        int checkpointEvery = 0, Action<int, TrainingRun>? checkpoint = null)
    {
        model.train();
        using var optimizer = torch.optim.AdamW(model.parameters(), peakLearningRate, weight_decay: weightDecay);
        var losses = new List<double>(steps);
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < steps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            var rate = LearningRate(step, steps, peakLearningRate);
            foreach (var group in optimizer.ParamGroups)
                group.LearningRate = rate;
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = lossOfNextBatch();
            loss.backward();
            optimizer.step();
            var value = loss.item<float>();
            if (!double.IsFinite(value))
                throw new InvalidOperationException($"training diverged at step {step + 1}: loss {value}");
            losses.Add(value);
            progress?.Report(new TrainingStep(step + 1, steps, value, rate, clock.Elapsed));
            if (checkpoint is not null && checkpointEvery > 0 && (step + 1) % checkpointEvery == 0 && step + 1 < steps)
            {
                model.eval();
                using (torch.no_grad())
                    checkpoint(step + 1, new TrainingRun(losses.ToList(), clock.Elapsed));
                model.train();
            }
        }
        model.eval();
        return new TrainingRun(losses, clock.Elapsed);
    }
}
