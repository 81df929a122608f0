-- Counting loop: the same increment / compare / branch as loop.iasm, 10^8 times.
local i, n = 0, 100000000
while i < n do
  i = i + 1
end
print(i)
