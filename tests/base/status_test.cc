#include "src/base/status.h"

#include <gtest/gtest.h>

namespace ferry {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument(std::to_string(x) + " is odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  FERRY_ASSIGN_OR_RETURN(int h, Half(x));
  FERRY_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  FERRY_RETURN_IF_ERROR(Half(x).status());
  return Status::Ok();
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, WithContextPrefixesMessageAndKeepsCode) {
  Status s = Status::Corruption("bad crc").WithContext("record 7");
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.message(), "record 7: bad crc");
  EXPECT_EQ(s.ToString(), "corruption: record 7: bad crc");
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
}

TEST(ResultTest, AssignOrReturnPropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "3 is odd");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_TRUE(CheckEven(5).IsInvalidArgument());
}

TEST(ResultTest, BuildingFromOkStatusIsABug) {
  EXPECT_DEATH({ Result<int> r(Status::Ok()); (void)r; }, "FERRY_CHECK failed");
}

}  // namespace
}  // namespace ferry
