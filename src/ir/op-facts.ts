/**
 * Op facts: the default attribute values and statefulness of TensorFlow ops.
 *
 * TensorFlow ≥ 1.13 writes SavedModels with `stripped_default_attrs`: an attribute equal to its
 * OpDef default is left out, so a `FusedBatchNormV3` without `is_training` is in training mode.
 * Transforms read attributes through `attrWithDefault`, and `add_default_attributes` fills them
 * in with `missingDefaultAttrs`.
 *
 * The table is written by hand from TensorFlow's op registrations (`tensorflow/core/ops/*.cc`,
 * `ops_history_v2`), covering every op in the shared model collection and the common inference,
 * control-flow, variable, checkpoint, quantized, random and summary ops.
 *
 * Deliberate choices:
 * - Attributes added in recent TensorFlow releases (MatMul/BatchMatMulV3 `grad_a`/`grad_b`,
 *   VarHandleOp `debug_name`, GatherNd `bad_indices_policy`, MaxPool `explicit_paddings`, the
 *   tf.data `metadata` attrs) are left out: `add_default_attributes` would write them, and an
 *   older TensorFlow refuses a NodeDef naming an attribute its OpDef lacks. All of them default
 *   to a neutral value, so leaving them unknown changes no reading.
 * - `stateful` means "must never be folded, merged or deduplicated": TensorFlow's `is_stateful`,
 *   plus ops that write through a ref or resource input (`Assign`, `ApplyGradientDescent`,
 *   `ResourceApply*`) or read mutable state (`ReadVariableOp`, table lookups, TensorArray reads),
 *   which TensorFlow also keeps out of constant folding. Every tf.data op is treated as stateful.
 * - Unknown ops are treated as stateful (the safe answer for a transform); `knownOp` tells them
 *   apart.
 * - `variantOutput` marks ops whose output is a `variant` value (the TensorList ops): pure, but
 *   never folded into a `Const` (a list has no tensor form); `outputsVariant` also catches nodes
 *   whose type attributes say `variant` (an `Identity` of a list, `TensorListGetItem` of a list
 *   of lists).
 */
import { type AttrValue, attr } from './attr';
import { type DType, baseDType } from './dtype';
import type { Node } from './node';
import { checkNodeShallow, checkString } from './check';

/** What graft knows about one op. */
export interface OpFacts {
  readonly op: string;
  /** Attribute defaults from the OpDef (attributes without a default are absent). */
  readonly defaults: Readonly<Record<string, AttrValue>>;
  /** Must never be folded, merged or deduplicated (see the module comment). */
  readonly stateful: boolean;
  /** Produces a `variant` value (a TensorList): never folded into a `Const`. */
  readonly variantOutput?: boolean;
  /** The attributes the op has, with their OpDef type (`type`, `list(int)`, `string`, `bool`, ...). */
  readonly attrTypes?: Readonly<Record<string, string>>;
  readonly summary?: string;
}

/*
 * Table syntax: one entry per op, `'Name': [flags, 'attr:type=default; ...', summary?]`.
 * flags: 'S' stateful, 'V' pure with a variant output, '' neither. Defaults are written as in OpDef text: `NHWC`, `true`, `0.0001`,
 * `[1,1,1,1]`, `[]`, `float` (for type attrs), `?` (unknown-rank shape), `''` (empty string).
 */
type Spec = readonly [flags: '' | 'S' | 'V', attrs: string, summary?: string];

const BIN = 'T:type';
const UN = 'T:type';
const REDUCE = 'keep_dims:bool=false; T:type; Tidx:type=int32';
const CONV_FMT = 'data_format:string=NHWC';
const RANDOM = 'seed:int=0; seed2:int=0; dtype:type; T:type';
const FUSED_BN = 'T:type; U:type; epsilon:float=0.0001; exponential_avg_factor:float=1; data_format:string=NHWC; is_training:bool=true';
const CALL = 'Tin:list(type); Tout:list(type); f:func; config:string=\'\'; config_proto:string=\'\'; executor_type:string=\'\'';
const IF = 'Tcond:type; Tin:list(type); Tout:list(type); then_branch:func; else_branch:func; output_shapes:list(shape)=[]';
const WHILE = 'T:list(type); cond:func; body:func; output_shapes:list(shape)=[]; parallel_iterations:int=10';
const DATASET = 'output_types:list(type); output_shapes:list(shape)';
const APPLY = 'T:type; use_locking:bool=false';
const SUMMARY_T = 'T:type=float';

const TABLE: Record<string, Spec> = {
  // ---- graph structure
  Const: ['', 'value:tensor; dtype:type', 'a constant tensor'],
  Placeholder: ['', 'dtype:type; shape:shape=?', 'a graph input'],
  PlaceholderV2: ['', 'dtype:type; shape:shape'],
  PlaceholderWithDefault: ['', 'dtype:type; shape:shape', 'a graph input with a default value'],
  Identity: ['', 'T:type'],
  IdentityN: ['', 'T:list(type)'],
  NoOp: ['', ''],
  StopGradient: ['', 'T:type'],
  PreventGradient: ['', "T:type; message:string=''"],
  Snapshot: ['', 'T:type'],
  ZerosLike: ['', 'T:type'],
  OnesLike: ['', 'T:type'],
  // ---- TF1 control flow
  Switch: ['', 'T:type'],
  RefSwitch: ['', 'T:type'],
  Merge: ['', 'T:type; N:int'],
  RefMerge: ['', 'T:type; N:int'],
  Enter: ['', 'T:type; frame_name:string; is_constant:bool=false; parallel_iterations:int=10'],
  RefEnter: ['', 'T:type; frame_name:string; is_constant:bool=false; parallel_iterations:int=10'],
  Exit: ['', 'T:type'],
  RefExit: ['', 'T:type'],
  NextIteration: ['', 'T:type'],
  RefNextIteration: ['', 'T:type'],
  LoopCond: ['', ''],
  ControlTrigger: ['', ''],
  // ---- functional control flow and calls
  If: ['S', IF],
  StatelessIf: ['', IF],
  While: ['S', WHILE],
  StatelessWhile: ['', WHILE],
  Case: ['S', 'Tin:list(type); Tout:list(type); branches:list(func); output_shapes:list(shape)=[]'],
  StatelessCase: ['', 'Tin:list(type); Tout:list(type); branches:list(func); output_shapes:list(shape)=[]'],
  PartitionedCall: ['', CALL],
  StatefulPartitionedCall: ['S', CALL],
  // ---- TF1 ref variables
  Variable: ['S', "shape:shape; dtype:type; container:string=''; shared_name:string=''"],
  VariableV2: ['S', "shape:shape; dtype:type; container:string=''; shared_name:string=''"],
  TemporaryVariable: ['S', "shape:shape; dtype:type; var_name:string=''"],
  IsVariableInitialized: ['S', 'dtype:type'],
  Assign: ['S', 'T:type; validate_shape:bool=true; use_locking:bool=true'],
  AssignAdd: ['S', 'T:type; use_locking:bool=false'],
  AssignSub: ['S', 'T:type; use_locking:bool=false'],
  ScatterUpdate: ['S', 'T:type; Tindices:type; use_locking:bool=true'],
  ScatterAdd: ['S', 'T:type; Tindices:type; use_locking:bool=false'],
  ScatterSub: ['S', 'T:type; Tindices:type; use_locking:bool=false'],
  // ---- resource variables
  VarHandleOp: ['S', "container:string=''; shared_name:string=''; dtype:type; shape:shape; allowed_devices:list(string)=[]"],
  ReadVariableOp: ['S', 'dtype:type'],
  AssignVariableOp: ['S', 'dtype:type; validate_shape:bool=false'],
  AssignAddVariableOp: ['S', 'dtype:type'],
  AssignSubVariableOp: ['S', 'dtype:type'],
  VarIsInitializedOp: ['S', ''],
  DestroyResourceOp: ['S', 'ignore_lookup_error:bool=true'],
  DisableCopyOnRead: ['S', ''],
  ResourceGather: ['S', 'batch_dims:int=0; validate_indices:bool=true; dtype:type; Tindices:type'],
  ResourceScatterUpdate: ['S', 'dtype:type; Tindices:type'],
  ResourceScatterAdd: ['S', 'dtype:type; Tindices:type'],
  // ---- training (write through ref or resource inputs)
  ApplyGradientDescent: ['S', APPLY],
  ResourceApplyGradientDescent: ['S', APPLY],
  ApplyMomentum: ['S', `${APPLY}; use_nesterov:bool=false`],
  ResourceApplyMomentum: ['S', `${APPLY}; use_nesterov:bool=false`],
  ResourceApplyKerasMomentum: ['S', `${APPLY}; use_nesterov:bool=false`],
  ApplyAdam: ['S', `${APPLY}; use_nesterov:bool=false`],
  ResourceApplyAdam: ['S', `${APPLY}; use_nesterov:bool=false`],
  ApplyAdagrad: ['S', `${APPLY}; update_slots:bool=true`],
  ResourceApplyAdagrad: ['S', `${APPLY}; update_slots:bool=true`],
  ResourceApplyAdagradV2: ['S', `${APPLY}; update_slots:bool=true`],
  ApplyRMSProp: ['S', APPLY],
  ResourceApplyRMSProp: ['S', APPLY],
  ApplyFtrl: ['S', `${APPLY}; multiply_linear_by_lr:bool=false`],
  ResourceApplyFtrl: ['S', `${APPLY}; multiply_linear_by_lr:bool=false`],
  ResourceApplyFtrlV2: ['S', `${APPLY}; multiply_linear_by_lr:bool=false`],
  ResourceSparseApplyFtrl: ['S', `T:type; Tindices:type; use_locking:bool=false; multiply_linear_by_lr:bool=false`],
  ResourceSparseApplyAdagrad: ['S', 'T:type; Tindices:type; use_locking:bool=false; update_slots:bool=true'],
  // ---- checkpoints
  SaveV2: ['S', 'dtypes:list(type)'],
  RestoreV2: ['S', 'dtypes:list(type)'],
  Save: ['S', 'T:list(type)'],
  SaveSlices: ['S', 'T:list(type)'],
  Restore: ['S', 'dt:type; preferred_shard:int=-1'],
  RestoreSlice: ['S', 'dt:type; preferred_shard:int=-1'],
  MergeV2Checkpoints: ['S', 'delete_old_dirs:bool=true; allow_missing_files:bool=false'],
  ShardedFilename: ['', ''],
  ShardedFilespec: ['', ''],
  StringJoin: ['', "N:int; separator:string=''"],
  StaticRegexFullMatch: ['', 'pattern:string'],
  RegexFullMatch: ['', ''],
  StaticRegexReplace: ['', 'pattern:string; rewrite:string; replace_global:bool=true'],
  AsString: ['', "T:type; precision:int=-1; scientific:bool=false; shortest:bool=false; width:int=-1; fill:string=''"],
  ReduceJoin: ['', "keep_dims:bool=false; separator:string=''"],
  StringToHashBucketFast: ['', 'num_buckets:int'],
  StringToHashBucketStrong: ['', 'num_buckets:int; key:list(int)'],
  StringToNumber: ['', 'out_type:type=float'],
  StringToHashBucket: ['', 'num_buckets:int'],
  RegexReplace: ['', 'replace_global:bool=true'],
  StringFormat: ['', "T:list(type); template:string=%s; placeholder:string=%s; summarize:int=3"],
  Substr: ['', 'T:type; unit:string=BYTE'],
  StringSplitV2: ['', 'maxsplit:int=-1'],
  StringSplit: ['', 'skip_empty:bool=true'],
  StringLower: ['', "encoding:string=''"],
  StringUpper: ['', "encoding:string=''"],
  StringStrip: ['', ''],
  StringLength: ['', 'unit:string=BYTE'],
  Fingerprint: ['', 'T:type'],
  // ---- nn
  Conv2D: ['', `T:type; strides:list(int); use_cudnn_on_gpu:bool=true; padding:string; explicit_paddings:list(int)=[]; ${CONV_FMT}; dilations:list(int)=[1,1,1,1]`, '2-D convolution'],
  Conv2DBackpropInput: ['', `T:type; strides:list(int); use_cudnn_on_gpu:bool=true; padding:string; explicit_paddings:list(int)=[]; ${CONV_FMT}; dilations:list(int)=[1,1,1,1]`],
  Conv3D: ['', 'T:type; strides:list(int); padding:string; data_format:string=NDHWC; dilations:list(int)=[1,1,1,1,1]'],
  DepthwiseConv2dNative: ['', `T:type; strides:list(int); padding:string; explicit_paddings:list(int)=[]; ${CONV_FMT}; dilations:list(int)=[1,1,1,1]`, 'depthwise 2-D convolution'],
  MatMul: ['', 'transpose_a:bool=false; transpose_b:bool=false; T:type', 'matrix product'],
  BatchMatMul: ['', 'T:type; adj_x:bool=false; adj_y:bool=false'],
  BatchMatMulV2: ['', 'T:type; adj_x:bool=false; adj_y:bool=false'],
  BatchMatMulV3: ['', 'Ta:type; Tb:type; Tout:type; adj_x:bool=false; adj_y:bool=false'],
  BiasAdd: ['', `T:type; ${CONV_FMT}`, 'adds a bias along the channel dimension'],
  BiasAddV1: ['', 'T:type'],
  BiasAddGrad: ['', `T:type; ${CONV_FMT}`],
  FusedBatchNorm: ['', 'T:type; epsilon:float=0.0001; exponential_avg_factor:float=1; data_format:string=NHWC; is_training:bool=true'],
  FusedBatchNormV2: ['', FUSED_BN],
  FusedBatchNormV3: ['', FUSED_BN, 'batch normalization (is_training defaults to true)'],
  BatchNormWithGlobalNormalization: ['', 'T:type; variance_epsilon:float; scale_after_normalization:bool'],
  L2Loss: ['', 'T:type'],
  LRN: ['', 'depth_radius:int=5; bias:float=1; alpha:float=1; beta:float=0.5; T:type=float'],
  Relu: ['', UN], Relu6: ['', UN], Elu: ['', UN], Selu: ['', UN], Softplus: ['', UN], Softsign: ['', UN],
  LeakyRelu: ['', 'alpha:float=0.2; T:type=float'],
  ReluGrad: ['', UN], Relu6Grad: ['', UN],
  Sigmoid: ['', UN], Tanh: ['', UN], Softmax: ['', UN], LogSoftmax: ['', UN],
  MaxPool: ['', 'T:type=float; ksize:list(int); strides:list(int); padding:string; data_format:string=NHWC'],
  MaxPoolV2: ['', 'T:type=float; padding:string; data_format:string=NHWC'],
  AvgPool: ['', 'ksize:list(int); strides:list(int); padding:string; data_format:string=NHWC; T:type'],
  MaxPool3D: ['', 'ksize:list(int); strides:list(int); padding:string; data_format:string=NDHWC; T:type'],
  AvgPool3D: ['', 'ksize:list(int); strides:list(int); padding:string; data_format:string=NDHWC; T:type'],
  ResizeBilinear: ['', 'T:type; align_corners:bool=false; half_pixel_centers:bool=false'],
  ResizeNearestNeighbor: ['', 'T:type; align_corners:bool=false; half_pixel_centers:bool=false'],
  ResizeBicubic: ['', 'T:type; align_corners:bool=false; half_pixel_centers:bool=false'],
  SpaceToBatchND: ['', 'T:type; Tblock_shape:type=int32; Tpaddings:type=int32'],
  BatchToSpaceND: ['', 'T:type; Tblock_shape:type=int32; Tcrops:type=int32'],
  SpaceToDepth: ['', 'T:type; block_size:int; data_format:string=NHWC'],
  DepthToSpace: ['', 'T:type; block_size:int; data_format:string=NHWC'],
  // ---- array
  Pad: ['', 'T:type; Tpaddings:type=int32'],
  PadV2: ['', 'T:type; Tpaddings:type=int32'],
  MirrorPad: ['', 'T:type; Tpaddings:type=int32; mode:string'],
  Concat: ['', 'N:int; T:type'],
  ConcatV2: ['', 'N:int; T:type; Tidx:type=int32'],
  Reshape: ['', 'T:type; Tshape:type=int32'],
  Squeeze: ['', 'T:type; squeeze_dims:list(int)=[]'],
  ExpandDims: ['', 'T:type; Tdim:type=int32'],
  Transpose: ['', 'T:type; Tperm:type=int32'],
  StridedSlice: ['', 'T:type; Index:type; begin_mask:int=0; end_mask:int=0; ellipsis_mask:int=0; new_axis_mask:int=0; shrink_axis_mask:int=0'],
  Slice: ['', 'T:type; Index:type'],
  Gather: ['', 'validate_indices:bool=true; Tparams:type; Tindices:type'],
  GatherV2: ['', 'batch_dims:int=0; Tparams:type; Tindices:type; Taxis:type'],
  GatherNd: ['', 'Tparams:type; Tindices:type'],
  ScatterNd: ['', 'T:type; Tindices:type'],
  Pack: ['', 'N:int; T:type; axis:int=0'],
  Unpack: ['', 'num:int; T:type; axis:int=0'],
  Tile: ['', 'T:type; Tmultiples:type=int32'],
  Fill: ['', 'T:type; index_type:type=int32'],
  BroadcastTo: ['', 'T:type; Tidx:type=int32'],
  BroadcastArgs: ['', 'T:type=int32'],
  BroadcastGradientArgs: ['', 'T:type=int32'],
  Cast: ['', 'SrcT:type; DstT:type; Truncate:bool=false'],
  Bitcast: ['', 'T:type; type:type'],
  Shape: ['', 'T:type; out_type:type=int32'],
  ShapeN: ['', 'N:int; T:type; out_type:type=int32'],
  Size: ['', 'T:type; out_type:type=int32'],
  Rank: ['', 'T:type'],
  Range: ['', 'Tidx:type=int32'],
  LinSpace: ['', 'T:type; Tidx:type=int32'],
  Split: ['', 'num_split:int; T:type'],
  SplitV: ['', 'num_split:int; T:type; Tlen:type=int64'],
  Reverse: ['', 'T:type'],
  ReverseV2: ['', 'Tidx:type=int32; T:type'],
  OneHot: ['', 'axis:int=-1; T:type; TI:type=int64'],
  Where: ['', 'T:type=bool'],
  Select: ['', 'T:type'],
  SelectV2: ['', 'T:type'],
  Unique: ['', 'T:type; out_idx:type=int32'],
  DynamicStitch: ['', 'N:int; T:type'],
  DynamicPartition: ['', 'num_partitions:int; T:type'],
  InvertPermutation: ['', 'T:type=int32'],
  MatrixBandPart: ['', 'T:type; Tindex:type=int64'],
  UpperBound: ['', 'T:type; out_type:type=int32'],
  LowerBound: ['', 'T:type; out_type:type=int32'],
  TopKV2: ['', 'sorted:bool=true; T:type; Tk:type=int32; index_type:type=int32'],
  CheckNumerics: ['S', 'T:type; message:string'],
  // ---- reductions
  Mean: ['', REDUCE], Sum: ['', REDUCE], Max: ['', REDUCE], Min: ['', REDUCE], Prod: ['', REDUCE],
  All: ['', 'keep_dims:bool=false; Tidx:type=int32'],
  Any: ['', 'keep_dims:bool=false; Tidx:type=int32'],
  ArgMax: ['', 'T:type; Tidx:type=int32; output_type:type=int64'],
  ArgMin: ['', 'T:type; Tidx:type=int32; output_type:type=int64'],
  Cumsum: ['', 'exclusive:bool=false; reverse:bool=false; T:type; Tidx:type=int32'],
  Cumprod: ['', 'exclusive:bool=false; reverse:bool=false; T:type; Tidx:type=int32'],
  UnsortedSegmentSum: ['', 'T:type; Tindices:type; Tnumsegments:type=int32'],
  SegmentSum: ['', 'T:type; Tindices:type'],
  SparseSegmentSum: ['', 'T:type; Tidx:type=int32; Tsegmentids:type=int32'],
  SparseSegmentMean: ['', 'T:type; Tidx:type=int32; Tsegmentids:type=int32'],
  SparseSegmentSumGrad: ['', 'T:type; Tidx:type=int32; Tsegmentids:type=int32'],
  AddN: ['', 'N:int; T:type'],
  // ---- elementwise binary math
  Add: ['', BIN], AddV2: ['', BIN], Sub: ['', BIN], Mul: ['', BIN], Div: ['', BIN], RealDiv: ['', BIN],
  DivNoNan: ['', BIN], MulNoNan: ['', BIN], FloorDiv: ['', BIN], FloorMod: ['', BIN], TruncateDiv: ['', BIN],
  TruncateMod: ['', BIN], Mod: ['', BIN], Pow: ['', BIN], Maximum: ['', BIN], Minimum: ['', BIN],
  SquaredDifference: ['', BIN], Atan2: ['', BIN], BiasAddNoop: ['', BIN],
  Equal: ['', 'T:type; incompatible_shape_error:bool=true'],
  NotEqual: ['', 'T:type; incompatible_shape_error:bool=true'],
  Less: ['', BIN], LessEqual: ['', BIN], Greater: ['', BIN], GreaterEqual: ['', BIN],
  ApproximateEqual: ['', 'T:type; tolerance:float=1e-05'],
  LogicalAnd: ['', ''], LogicalOr: ['', ''], LogicalNot: ['', ''],
  BitwiseAnd: ['', BIN], BitwiseOr: ['', BIN], BitwiseXor: ['', BIN], LeftShift: ['', BIN], RightShift: ['', BIN],
  // ---- elementwise unary math
  Abs: ['', UN], Neg: ['', UN], Sign: ['', UN], Reciprocal: ['', UN], Inv: ['', UN], Square: ['', UN],
  Sqrt: ['', UN], Rsqrt: ['', UN], Exp: ['', UN], Expm1: ['', UN], Log: ['', UN], Log1p: ['', UN],
  Sin: ['', UN], Cos: ['', UN], Tan: ['', UN], Asin: ['', UN], Acos: ['', UN], Atan: ['', UN],
  Sinh: ['', UN], Cosh: ['', UN], Asinh: ['', UN], Acosh: ['', UN], Atanh: ['', UN],
  Floor: ['', UN], Ceil: ['', UN], Round: ['', UN], Rint: ['', UN], Erf: ['', UN], Erfc: ['', UN],
  IsNan: ['', UN], IsInf: ['', UN], IsFinite: ['', UN], Invert: ['', UN],
  ClipByValue: ['', UN],
  // ---- quantization
  Dequantize: ['', "T:type; mode:string=MIN_COMBINED; narrow_range:bool=false; axis:int=-1; dtype:type=float"],
  QuantizeV2: ['', 'T:type; mode:string=MIN_COMBINED; round_mode:string=HALF_AWAY_FROM_ZERO; narrow_range:bool=false; axis:int=-1; ensure_minimum_range:float=0.01'],
  QuantizedConv2D: ['', 'Tinput:type; Tfilter:type; out_type:type=qint32; strides:list(int); padding:string; dilations:list(int)=[1,1,1,1]'],
  QuantizedMatMul: ['', 'T1:type; T2:type; Toutput:type=qint32; transpose_a:bool=false; transpose_b:bool=false; Tactivation:type=quint8'],
  QuantizedBiasAdd: ['', 'T1:type; T2:type; out_type:type'],
  QuantizedRelu: ['', 'Tinput:type; out_type:type=quint8'],
  QuantizedRelu6: ['', 'Tinput:type; out_type:type=quint8'],
  QuantizedReluX: ['', 'Tinput:type; out_type:type=quint8'],
  Requantize: ['', 'Tinput:type; out_type:type'],
  RequantizationRange: ['', 'Tinput:type'],
  QuantizedConcat: ['', 'N:int; T:type'],
  QuantizedReshape: ['', 'T:type; Tshape:type=int32'],
  QuantizedMaxPool: ['', 'T:type; ksize:list(int); strides:list(int); padding:string'],
  QuantizedAvgPool: ['', 'T:type; ksize:list(int); strides:list(int); padding:string'],
  QuantizeDownAndShrinkRange: ['', 'Tinput:type; out_type:type'],
  QuantizedAdd: ['', 'T1:type; T2:type; Toutput:type=qint32'],
  QuantizedMul: ['', 'T1:type; T2:type; Toutput:type=qint32'],
  FakeQuantWithMinMaxVars: ['', 'num_bits:int=8; narrow_range:bool=false'],
  FakeQuantWithMinMaxArgs: ['', 'min:float=-6; max:float=6; num_bits:int=8; narrow_range:bool=false'],
  // ---- random (stateful: each run draws new numbers)
  RandomUniform: ['S', RANDOM],
  RandomStandardNormal: ['S', RANDOM],
  TruncatedNormal: ['S', RANDOM],
  RandomUniformInt: ['S', 'seed:int=0; seed2:int=0; Tout:type; T:type'],
  RandomShuffle: ['S', 'seed:int=0; seed2:int=0; T:type'],
  RandomGamma: ['S', 'seed:int=0; seed2:int=0; S:type; T:type'],
  Multinomial: ['S', 'seed:int=0; seed2:int=0; T:type; output_dtype:type=int64'],
  StatelessRandomUniform: ['', 'dtype:type=float; T:type=int32; Tseed:type=int64'],
  StatelessRandomNormal: ['', 'dtype:type=float; T:type=int32; Tseed:type=int64'],
  StatelessTruncatedNormal: ['', 'dtype:type=float; T:type=int32; Tseed:type=int64'],
  // ---- summaries, asserts, printing
  ScalarSummary: ['', 'T:type'],
  HistogramSummary: ['', SUMMARY_T],
  ImageSummary: ['', 'max_images:int=3; T:type=float; bad_color:tensor'],
  AudioSummaryV2: ['', 'max_outputs:int=3'],
  TensorSummaryV2: ['', 'T:type'],
  TensorSummary: ['', "T:type; description:string=''; labels:list(string)=[]; display_name:string=''"],
  MergeSummary: ['', 'N:int'],
  WriteScalarSummary: ['S', 'T:type'],
  WriteSummary: ['S', 'T:type'],
  Assert: ['S', 'T:list(type); summarize:int=3'],
  Print: ['S', "T:type; U:list(type); message:string=''; first_n:int=-1; summarize:int=3"],
  PrintV2: ['S', "output_stream:string=stderr; end:string=\n"],
  CheckNumericsV2: ['S', 'T:type; message:string'],
  // ---- audio (speech-commands models)
  DecodeWav: ['', 'desired_channels:int=-1; desired_samples:int=-1'],
  AudioSpectrogram: ['', 'window_size:int; stride:int; magnitude_squared:bool=false'],
  Mfcc: ['', 'upper_frequency_limit:float=4000; lower_frequency_limit:float=20; filterbank_channel_count:int=40; dct_coefficient_count:int=13'],
  // ---- parsing, sparse, sets
  ParseExample: ['', 'Nsparse:int; Ndense:int; sparse_types:list(type); Tdense:list(type); dense_shapes:list(shape)'],
  ParseExampleV2: ['', 'Tdense:list(type); num_sparse:int; sparse_types:list(type); ragged_value_types:list(type); ragged_split_types:list(type); dense_shapes:list(shape)'],
  ParseSingleExample: ['', 'num_sparse:int; sparse_keys:list(string); dense_keys:list(string); sparse_types:list(type); Tdense:list(type); dense_shapes:list(shape)'],
  SparseToDense: ['', 'validate_indices:bool=true; T:type; Tindices:type'],
  SparseReshape: ['', ''],
  SparseFillEmptyRows: ['', 'T:type'],
  DenseToDenseSetOperation: ['', 'set_operation:string; validate_indices:bool=true; T:type'],
  // ---- lookup tables (stateful resources)
  HashTableV2: ['S', "container:string=''; shared_name:string=''; use_node_name_sharing:bool=false; key_dtype:type; value_dtype:type"],
  HashTable: ['S', "container:string=''; shared_name:string=''; use_node_name_sharing:bool=false; key_dtype:type; value_dtype:type"],
  MutableHashTable: ['S', "container:string=''; shared_name:string=''; use_node_name_sharing:bool=false; key_dtype:type; value_dtype:type"],
  MutableHashTableV2: ['S', "container:string=''; shared_name:string=''; use_node_name_sharing:bool=false; key_dtype:type; value_dtype:type"],
  InitializeTableV2: ['S', 'Tkey:type; Tval:type'],
  InitializeTableFromTextFileV2: ['S', "key_index:int; value_index:int; vocab_size:int=-1; delimiter:string=\t; offset:int=0"],
  InitializeTable: ['S', 'Tkey:type; Tval:type'],
  InitializeTableFromTextFile: ['S', "key_index:int; value_index:int; vocab_size:int=-1; delimiter:string=\t; offset:int=0"],
  LookupTableFind: ['S', 'Tin:type; Tout:type'],
  LookupTableSize: ['S', ''],
  LookupTableInsertV2: ['S', 'Tin:type; Tout:type'],
  LookupTableRemoveV2: ['S', 'Tin:type'],
  LookupTableFindV2: ['S', 'Tin:type; Tout:type'],
  LookupTableSizeV2: ['S', ''],
  LookupTableImportV2: ['S', 'Tin:type; Tout:type'],
  LookupTableExportV2: ['S', 'Tkeys:type; Tvalues:type'],
  // ---- TensorArray (stateful resources)
  TensorArrayV3: ['S', "dtype:type; element_shape:shape=?; dynamic_size:bool=false; clear_after_read:bool=true; identical_element_shapes:bool=false; tensor_array_name:string=''"],
  TensorArrayReadV3: ['S', 'dtype:type'],
  TensorArrayWriteV3: ['S', 'T:type'],
  TensorArrayScatterV3: ['S', 'T:type'],
  TensorArrayGatherV3: ['S', 'dtype:type; element_shape:shape=?'],
  TensorArraySizeV3: ['S', ''],
  TensorArrayCloseV3: ['S', ''],
  // ---- TensorList (TF2 control flow): pure values; the list-producing ones output a variant
  EmptyTensorList: ['V', 'element_dtype:type; shape_type:type'],
  TensorListReserve: ['V', 'element_dtype:type; shape_type:type'],
  TensorListFromTensor: ['V', 'element_dtype:type; shape_type:type'],
  TensorListSetItem: ['V', 'element_dtype:type; resize_if_index_out_of_bounds:bool=false'],
  TensorListPushBack: ['V', 'element_dtype:type'],
  TensorListPushBackBatch: ['V', 'element_dtype:type'],
  TensorListPopBack: ['V', 'element_dtype:type'],
  TensorListScatter: ['V', 'element_dtype:type; shape_type:type'],
  TensorListScatterV2: ['V', 'element_dtype:type; shape_type:type'],
  TensorListScatterIntoExistingList: ['V', 'element_dtype:type'],
  TensorListResize: ['V', ''],
  TensorListSplit: ['V', 'element_dtype:type; shape_type:type'],
  TensorListConcatLists: ['V', 'element_dtype:type'],
  TensorListGetItem: ['', 'element_dtype:type'],
  TensorListStack: ['', 'element_dtype:type; num_elements:int=-1'],
  TensorListGather: ['', 'element_dtype:type'],
  TensorListLength: ['', ''],
  TensorListElementShape: ['', 'shape_type:type'],
  TensorListConcat: ['', 'element_dtype:type; element_shape:shape=?'],
  TensorListConcatV2: ['', 'element_dtype:type; shape_type:type'],
  // ---- tf.data and iterators (all treated as stateful)
  TensorSliceDataset: ['S', 'Toutput_types:list(type); output_shapes:list(shape); is_files:bool=false; replicate_on_split:bool=false'],
  TensorDataset: ['S', 'Toutput_types:list(type); output_shapes:list(shape)'],
  TFRecordDataset: ['S', ''],
  MapDataset: ['S', `f:func; Targuments:list(type); ${DATASET}; use_inter_op_parallelism:bool=true; preserve_cardinality:bool=false`],
  FlatMapDataset: ['S', `f:func; Targuments:list(type); ${DATASET}`],
  ShuffleDataset: ['S', `reshuffle_each_iteration:bool=true; ${DATASET}`],
  BatchDatasetV2: ['S', `parallel_copy:bool=false; ${DATASET}`],
  RepeatDataset: ['S', DATASET],
  PrefetchDataset: ['S', `${DATASET}; slack_period:int=0; legacy_autotune:bool=true; buffer_size_min:int=0`],
  OptionsDataset: ['S', `serialized_options:string; ${DATASET}`],
  ParallelInterleaveDatasetV4: ['S', `f:func; deterministic:string=default; Targuments:list(type); ${DATASET}`],
  ParseExampleDatasetV2: ['S', `sparse_keys:list(string); dense_keys:list(string); sparse_types:list(type); Tdense:list(type); dense_shapes:list(shape); ${DATASET}; deterministic:string=default; ragged_keys:list(string)=[]; ragged_value_types:list(type)=[]; ragged_split_types:list(type)=[]`],
  OneShotIterator: ['S', `dataset_factory:func; ${DATASET}; container:string=''; shared_name:string=''`],
  IteratorV2: ['S', `shared_name:string; container:string; ${DATASET}`],
  MakeIterator: ['S', ''],
  IteratorGetNext: ['S', DATASET],
  IteratorToStringHandle: ['S', ''],
  OptionalFromValue: ['', 'Toutput_types:list(type)'],
  OptionalNone: ['', ''],
  MatchingFiles: ['S', ''],
  ReadFile: ['S', ''],
  WriteFile: ['S', ''],
};

/** Parses the OpDef-text default of an attribute of `type`. */
function parseDefault(type: string, text: string): AttrValue {
  const str = text === "''" ? '' : text;
  switch (type) {
    case 'string': return attr.s(str);
    case 'int': return attr.i(Number(text));
    case 'float': return attr.f(Number(text));
    case 'bool': return attr.b(text === 'true');
    case 'type': return attr.type(text as DType);
    case 'shape': return attr.shape(text === '?' ? null : JSON.parse(text) as number[]);
    default: {
      // list(...) defaults: `[]` or a JSON list of ints.
      const items = JSON.parse(text) as number[];
      if (items.length === 0) return attr.list({});
      if (type === 'list(int)') return attr.list({ i: items });
      // A table error, caught by the tests at load time; not reachable from input files.
      throw new Error(`op-facts table: cannot parse default ${text} for ${type}`);
    }
  }
}

function build(op: string, spec: Spec): OpFacts {
  const [flags, attrs, summary] = spec;
  const defaults: Record<string, AttrValue> = {};
  const attrTypes: Record<string, string> = {};
  // Split on '; ' so that default strings such as '\t' or '\n' stay whole.
  for (const part of attrs.split('; ')) {
    if (!part.trim()) continue;
    const m = /^\s*(\w+):([\w()]+)(?:=([\s\S]*))?$/.exec(part);
    if (!m) throw new Error(`op-facts table: bad attr '${part}' of ${op}`);
    const [, name, type, def] = m;
    attrTypes[name!] = type!;
    if (def !== undefined) defaults[name!] = Object.freeze(parseDefault(type!, def));
  }
  return Object.freeze({
    op,
    defaults: Object.freeze(defaults),
    stateful: flags === 'S',
    ...(flags === 'V' ? { variantOutput: true } : {}),
    attrTypes: Object.freeze(attrTypes),
    ...(summary ? { summary } : {}),
  });
}

const FACTS = new Map<string, OpFacts>(Object.entries(TABLE).map(([op, spec]) => [op, build(op, spec)]));

/**
 * What graft knows about an op, or undefined for an op not in the table.
 * @example opFacts('FusedBatchNormV3')?.defaults.is_training // { kind: 'b', value: true }
 */
export function opFacts(op: string): OpFacts | undefined {
  return FACTS.get(op);
}

/** True when the op is in the table. */
export function knownOp(op: string): boolean {
  return FACTS.has(op);
}

/**
 * True when a node of this op must never be folded, merged or removed as a duplicate.
 * Unknown ops are stateful: a transform that cannot tell must leave them alone.
 * @example isStatefulOp('RandomUniform') // true; isStatefulOp('Add') // false
 */
export function isStatefulOp(op: string): boolean {
  return FACTS.get(op)?.stateful ?? true;
}

/**
 * True when a node outputs a `variant` value (a TensorList): its op makes lists, or one of its
 * type attributes (`T`, `dtype`, `element_dtype`, `Tout`, ...) is `variant`. Such a value has no
 * tensor form: transforms must not turn it into a `Const`.
 * @example outputsVariant(makeNode({ name: 'l', op: 'TensorListReserve' })) // true
 */
export function outputsVariant(node: Node): boolean {
  if (FACTS.get(node.op)?.variantOutput) return true;
  for (const name of ['T', 'dtype', 'element_dtype', 'out_type', 'Tout', 'output_types']) {
    const a = node.attrs[name];
    if (a?.kind === 'type' && baseDType(a.value) === 'variant') return true;
    if (a?.kind === 'list' && (a.value.type ?? []).some((t) => baseDType(t) === 'variant')) return true;
  }
  return false;
}

/**
 * The node's attribute, or the op's default when the node lacks it (as TensorFlow reads a
 * NodeDef written with `stripped_default_attrs`).
 * @example attrWithDefault(bn, 'is_training') // { kind: 'b', value: true } when absent
 */
export function attrWithDefault(node: Node, name: string): AttrValue | undefined {
  checkNodeShallow('attrWithDefault', 'node', node);
  checkString('attrWithDefault', 'name', name);
  return node.attrs[name] ?? FACTS.get(node.op)?.defaults[name];
}

/**
 * The defaults a node lacks, for `add_default_attributes`. Empty for unknown ops.
 * @example missingDefaultAttrs(makeNode({ name: 'bn', op: 'FusedBatchNormV3' })) // { epsilon, ..., is_training }
 */
export function missingDefaultAttrs(node: Node): Record<string, AttrValue> {
  checkNodeShallow('missingDefaultAttrs', 'node', node);
  const facts = FACTS.get(node.op);
  const out: Record<string, AttrValue> = {};
  if (!facts) return out;
  for (const [name, value] of Object.entries(facts.defaults)) {
    if (!(name in node.attrs)) out[name] = value;
  }
  return out;
}

/** Every op in the table, sorted. */
export function knownOps(): string[] {
  return [...FACTS.keys()].sort();
}
