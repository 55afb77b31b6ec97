/**
 * The ops the built-in kernels (runtime/kernels) run, by name: what `missingKernels` needs, without
 * loading the kernels themselves. test/runtime/kernel-ops.test.ts keeps it equal to
 * `BUILTIN_KERNELS.ops()`: a new kernel's op is added here too.
 */
export const BUILTIN_KERNEL_OPS: ReadonlySet<string> = new Set(
  (
    'Abs Acos Add AddN AddV2 All Any ApplyGradientDescent ArgMax ArgMin AsString Asin Assert Assign ' +
    'AssignAdd AssignAddVariableOp AssignSub AssignSubVariableOp AssignVariableOp Atan Atan2 ' +
    'AudioSpectrogram AvgPool BatchMatMul BatchMatMulV2 BatchMatMulV3 ' +
    'BatchNormWithGlobalNormalization BiasAdd BiasAddGrad BiasAddV1 BroadcastGradientArgs BroadcastTo ' +
    'Bucketize Cast Ceil CheckNumerics CheckNumericsV2 ClipByValue Concat ConcatV2 Const Conv2D Cos ' +
    'Cosh Cumsum DecodeWav DenseToDenseSetOperation DepthwiseConv2dNative Dequantize ' +
    'DisableCopyOnRead Div DivNoNan DynamicStitch Einsum Elu EmptyTensorList EnsureShape Equal Erf ' +
    'EuclideanNorm Exp ExpandDims Expm1 FakeQuantWithMinMaxArgs FakeQuantWithMinMaxVars Fill Floor ' +
    'FloorDiv FloorMod FusedBatchNorm FusedBatchNormV2 FusedBatchNormV3 Gather GatherNd GatherV2 ' +
    'Greater GreaterEqual HashTable HashTableV2 HistogramSummary Identity IdentityN If ' +
    'InitializeTable InitializeTableFromTextFile InitializeTableFromTextFileV2 InitializeTableV2 Inv ' +
    'IsFinite IsInf IsNan IsVariableInitialized L2Loss LRN LeakyRelu LeftShift Less LessEqual Log ' +
    'Log1p LogSoftmax LogicalAnd LogicalNot LogicalOr LookupTableExport LookupTableExportV2 ' +
    'LookupTableFind LookupTableFindV2 LookupTableImport LookupTableImportV2 LookupTableInsert ' +
    'LookupTableInsertV2 LookupTableRemoveV2 LookupTableSize LookupTableSizeV2 LoopCond LowerBound ' +
    'MatMul MatrixBandPart Max MaxPool MaxPoolV2 Maximum Mean MergeSummary MergeV2Checkpoints Mfcc Min Minimum MirrorPad ' +
    'Mod Mul MutableHashTable MutableHashTableV2 Neg NoOp NotEqual OneHot OnesLike Pack Pad PadV2 ' +
    'ParallelDynamicStitch ParseExample ParseExampleV2 ParseSingleExample PartitionedCall Placeholder ' +
    'PlaceholderWithDefault Pow PreventGradient Print PrintV2 Prod QuantizeDownAndShrinkRange ' +
    'QuantizeV2 QuantizedAdd QuantizedAvgPool QuantizedBiasAdd QuantizedConcat QuantizedConv2D ' +
    'QuantizedMatMul QuantizedMaxPool QuantizedMul QuantizedRelu QuantizedRelu6 QuantizedReluX ' +
    'QuantizedReshape QuantizedResizeBilinear RandomStandardNormal RandomUniform Range Rank ' +
    'ReadVariableOp RealDiv Reciprocal ReduceJoin RefIdentity RegexFullMatch RegexReplace Relu Relu6 ' +
    'ReluGrad RequantizationRange Requantize Reshape ResizeBilinear ResizeNearestNeighbor ' +
    'ResourceApplyAdagradV2 ResourceApplyFtrl ResourceApplyGradientDescent ResourceGather ' +
    'ResourceSparseApplyFtrl RestoreV2 ReverseV2 RightShift Round Rsqrt ScalarSummary Select SelectV2 ' +
    'SaveV2 Selu Shape ShapeN ShardedFilename ShardedFilespec Sigmoid Sign Sin Sinh Size Slice Snapshot ' +
    'Softmax Softplus Softsign SparseFillEmptyRows SparseReshape SparseSegmentMean ' +
    'SparseSegmentMeanGrad SparseSegmentMeanWithNumSegments SparseSegmentSqrtN SparseSegmentSqrtNGrad ' +
    'SparseSegmentSqrtNWithNumSegments SparseSegmentSum SparseSegmentSumGrad ' +
    'SparseSegmentSumWithNumSegments SparseTensorDenseMatMul SparseToDense Split SplitV Sqrt Square ' +
    'SquaredDifference Squeeze StatefulPartitionedCall StatelessIf StatelessWhile ' +
    'StaticRegexFullMatch StaticRegexReplace StopGradient StridedSlice StringFormat StringJoin ' +
    'StringLength StringLower StringSplitV2 StringStrip StringToHashBucket StringToHashBucketFast ' +
    'StringToHashBucketStrong StringUpper Sub Substr Sum Tan Tanh TensorArrayCloseV3 ' +
    'TensorArrayConcatV3 TensorArrayGatherV3 TensorArrayReadV3 TensorArrayScatterV3 TensorArraySizeV3 ' +
    'TensorArraySplitV3 TensorArrayV3 TensorArrayWriteV3 TensorListConcat TensorListConcatV2 ' +
    'TensorListElementShape TensorListFromTensor TensorListGather TensorListGetItem TensorListLength ' +
    'TensorListPopBack TensorListPushBack TensorListReserve TensorListResize TensorListScatter ' +
    'TensorListScatterIntoExistingList TensorListScatterV2 TensorListSetItem TensorListSplit ' +
    'TensorListStack Tile Transpose TruncateDiv TruncatedNormal Unique UniqueV2 Unpack ' +
    'UnsortedSegmentSum UpperBound VarHandleOp VarIsInitializedOp Variable VariableV2 Where While ' +
    'ZerosLike'
  ).split(' '),
);
