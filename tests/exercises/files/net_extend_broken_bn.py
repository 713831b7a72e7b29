"""MultiLayerNetExtend whose Batch Normalization leaves the mean's path out of backward."""

import net_extend_correct
from mistake_bn_dx_no_mean_path import BatchNormalization

net_extend_correct.BatchNormalization = BatchNormalization
MultiLayerNetExtend = net_extend_correct.MultiLayerNetExtend
