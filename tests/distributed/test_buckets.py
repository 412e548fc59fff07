"""DDP's bucket assignment (in one process): reverse order, one dtype per bucket, small first bucket, cap."""
import numbatorch as torch
from numbatorch.nn.parallel._reducer import assign_buckets


def test_buckets_follow_reverse_order_dtype_and_caps():
    params = [torch.zeros(256), torch.zeros(256, dtype=torch.float64), torch.zeros(256), torch.zeros(256),
              torch.zeros(1024), torch.zeros(10)]
    buckets = assign_buckets(params, bucket_cap_mb=2048 / 2**20, first_bucket_bytes=1024)
    assert sorted(i for b in buckets for i in b) == list(range(len(params)))
    for b in buckets:
        assert len({params[i].dtype for i in b}) == 1
        assert b == sorted(b, reverse=True)
        # a bucket is closed by the parameter that makes it reach its limit, never later
        sizes = [params[i].numel() * params[i].element_size() for i in b]
        assert sum(sizes[:-1]) < 2048
    # float32, last to first: 10 + 4096 bytes close the first (1 KiB) bucket; 1024 + 1024 reach the 2 KiB cap
    assert buckets[:2] == [[5, 4], [3, 2]]
    assert [1] in buckets  # the float64 parameter has a bucket of its own
