-- Insertion sort of 8,000 pseudo-random numbers, the same algorithm as sort.iasm, then the sum of
-- every 100th sorted value. Values: x = 75 * x mod 65537, from x = 1.
local N = 8000
local a = {}
local x = 1
for i = 0, N - 1 do
  a[i] = x
  x = (75 * x) % 65537
end
for i = 1, N - 1 do
  local v = a[i]
  local j = i - 1
  while j >= 0 and a[j] > v do
    a[j + 1] = a[j]
    j = j - 1
  end
  a[j + 1] = v
end
local sum = 0
for i = 0, N - 1, 100 do sum = sum + a[i] end
print(sum)
