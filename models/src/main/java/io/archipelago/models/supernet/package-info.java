/**
 * Single-path one-shot (SPOS) weight sharing on the NAS-Bench-201 cell space, on ND4J, following
 * {@code shared/anchors/spos_reference.py} choice for choice.
 *
 * <ul>
 *   <li>{@link io.archipelago.models.supernet.SposSupernet}: the supernet's weights, the child
 *       network's parameter count, the weights' SHA-256.</li>
 *   <li>{@link io.archipelago.models.supernet.SposTrainer}: SGD training, one uniformly drawn cell
 *       per mini-batch, every random choice a function of (seed, step); checkpoints and resume.</li>
 *   <li>{@link io.archipelago.models.supernet.SposCheckpoint}: the versioned, hashed, atomically
 *       written checkpoint ({@code models/SPOS_CHECKPOINT.md}).</li>
 *   <li>{@link io.archipelago.models.supernet.StandaloneTraining}: one cell trained alone with the
 *       same trainer, its learning curve on validation images and its test accuracy, on the
 *       disjoint {@link io.archipelago.models.supernet.StandaloneImages}.</li>
 *   <li>{@link io.archipelago.models.supernet.SupernetEvaluator}: accuracy and mean loss of a cell
 *       with the inherited weights on fixed {@link io.archipelago.models.supernet.EvalImages};
 *       thread-safe.</li>
 *   <li>{@link io.archipelago.models.supernet.ImageSet}: training/evaluation images preprocessed as
 *       the reference does; {@link io.archipelago.models.supernet.NdThreads}: ND4J's thread knobs
 *       (call {@code NdThreads.configure(n)} once per process, and launch with
 *       {@code OMP_WAIT_POLICY=PASSIVE}); {@link io.archipelago.models.supernet.SposSpeed}: the
 *       training speed probe.</li>
 * </ul>
 *
 * <p>Implementation: activations are heap arrays (NCHW) worked on by plain Java loops
 * ({@code Kernels}: batch norm, ReLU, pooling, sums, head), and only the convolutions run on ND4J
 * (oneDNN), through pooled off-heap buffers ({@code Workspace}), so a training step allocates no
 * ND4J memory once warm. The stride-1 conv backward is two forward convs rather than
 * {@code conv2d_bp} (measured faster); strided convs use {@code conv2d_bp}. No SameDiff.
 */
package io.archipelago.models.supernet;
